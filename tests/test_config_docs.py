"""docs/configuration.md documents every option with its default."""

from pathlib import Path

from pocketstack.config_docs import render


def test_configuration_doc_is_current():
    doc = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
    assert doc.read_text() == render(), "run: python -m pocketstack.config_docs > docs/configuration.md"
