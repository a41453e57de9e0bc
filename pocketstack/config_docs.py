"""Render docs/configuration.md from the Settings class (`python -m pocketstack.config_docs`)."""

from __future__ import annotations

from pocketstack.config import Settings


def render() -> str:
    lines = [
        "# Configuration",
        "",
        "Every option can be set as an environment variable (`POCKETSTACK_<NAME>`, upper case),",
        "in a TOML file (`$POCKETSTACK_CONFIG_FILE`, or `<data_dir>/pocketstack.toml`), and the",
        "most common ones as `pocketstack up` flags. Precedence: flags, environment, file.",
        "",
        "This page is generated from `pocketstack/config.py` by",
        "`python -m pocketstack.config_docs > docs/configuration.md`; a test keeps it in sync.",
        "",
        "| option | environment | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "`~/.local/share/pocketstack`" if name == "data_dir" else "(computed)"
        elif field.default is None:
            default = "(none)"
        else:
            default = f"`{field.default}`"
        env = f"`POCKETSTACK_{name.upper()}`"
        lines.append(f"| `{name}` | {env} | {default} | {field.description or ''} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
