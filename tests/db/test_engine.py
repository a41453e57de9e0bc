"""The database layer on each backend: portable column types round-trip exactly, a write
transaction commits or rolls back as a whole, a unique violation becomes Conflict without
spoiling the transaction, and row locks (get_for_update) make read-modify-write safe under
concurrency."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pocketstack.common import exceptions as exc
from pocketstack.db.base import JSONText, UTCDateTime
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import Domain
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.identity.resources import DomainRepo

pytestmark = pytest.mark.postgres


class _Base(DeclarativeBase):
    metadata = MetaData()


class Thing(_Base):
    """A scratch table, outside pocketstack's metadata."""

    __tablename__ = "zz_test_things"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    counter: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[Any] = mapped_column(JSONText, nullable=True)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ThingRepo(Repository[Thing]):
    model = Thing


@pytest.fixture()
def db(database: Database) -> Iterator[Database]:
    _Base.metadata.create_all(database.engine)
    yield database
    _Base.metadata.drop_all(database.engine)


@pytest.mark.parametrize("value", [
    {"a": 1, "b": [1, 2.5, None, True], "c": {"d": "é中文🙂"}},
    [],
    {},
    "just a string",
    12345678901234567890,
    {"quote": "'\"\\", "newline": "a\nb", "tab": "\t"},
])
def test_json_round_trips(db: Database, value: Any) -> None:
    with db.write() as s:
        s.add(Thing(id=1, name="x", data=value))
    with db.read() as s:
        assert s.get(Thing, 1).data == value


def test_json_null_is_sql_null(db: Database) -> None:
    with db.write() as s:
        s.add(Thing(id=1, name="x", data=None))
    with db.read() as s:
        assert s.get(Thing, 1).data is None
        assert s.scalar(select(Thing.id).where(Thing.data.is_(None))) == 1


def test_datetimes_are_utc_aware_with_microseconds(db: Database) -> None:
    cet = timezone(timedelta(hours=1))
    local = datetime(2024, 2, 29, 13, 14, 15, 123456, tzinfo=cet)
    with db.write() as s:
        s.add(Thing(id=1, name="a", at=local))
        s.add(Thing(id=2, name="b", at=datetime(2024, 2, 29, 12, 14, 15, 123457, tzinfo=UTC)))
    with db.read() as s:
        got = s.get(Thing, 1).at
        assert got == local and got.tzinfo == UTC
        assert got.hour == 12 and got.microsecond == 123456
        # Ordering and comparison happen in UTC, to the microsecond.
        later = s.scalars(select(Thing.name).where(Thing.at > local)).all()
        assert later == ["b"]


def test_write_commits_and_failure_rolls_back_everything(db: Database) -> None:
    with db.write() as s:
        s.add(Thing(id=1, name="kept"))
    with pytest.raises(RuntimeError), db.write() as s:
        s.add(Thing(id=2, name="lost"))
        s.flush()
        s.get(Thing, 1).counter = 99
        raise RuntimeError("boom")
    with db.read() as s:
        assert s.scalars(select(Thing.name)).all() == ["kept"]
        assert s.get(Thing, 1).counter == 0


def test_conflict_inside_a_write_rolls_back_when_not_caught(db: Database) -> None:
    with pytest.raises(exc.Conflict), db.write() as s:
        ThingRepo(s).add(Thing(id=1, name="one"))
        ThingRepo(s).add(Thing(id=2, name="one"), conflict="name taken")
    with db.read() as s:
        assert s.scalars(select(Thing.name)).all() == []


def test_conflict_does_not_spoil_the_transaction(db: Database) -> None:
    with db.write() as s:
        repo = ThingRepo(s)
        repo.add(Thing(id=1, name="one"))
        with pytest.raises(exc.Conflict) as info:
            repo.add(Thing(id=2, name="one"), conflict="name taken")
        assert info.value.code == 409 and info.value.message == "name taken"
        repo.add(Thing(id=3, name="three"))
    with db.read() as s:
        assert sorted(s.scalars(select(Thing.name)).all()) == ["one", "three"]


def test_caught_conflict_keeps_earlier_work(migrated: Database) -> None:
    with migrated.write() as s:
        DomainRepo(s).add(Domain(id="d1", name="One", enabled=True, extra={}))
        with pytest.raises(exc.Conflict):
            DomainRepo(s).add(Domain(id="d2", name="One", enabled=True, extra={}))
    with migrated.read() as s:
        assert DomainRepo(s).get("d1") is not None
        assert DomainRepo(s).get("d2") is None


def test_repository_helpers(db: Database) -> None:
    with db.write() as s:
        repo = ThingRepo(s)
        for i in range(5):
            repo.add(Thing(id=i, name=f"n{i}", counter=i))
        assert repo.count() == 5
        assert repo.count(Thing.counter >= 3) == 2
        assert [t.id for t in repo.find(Thing.counter < 3, order_by=Thing.id.desc())] == [2, 1, 0]
        assert [t.id for t in repo.find(order_by=Thing.id, limit=2)] == [0, 1]
        assert repo.first(Thing.name == "n4").id == 4
        assert repo.first(Thing.name == "none") is None
        assert sorted(t.id for t in repo.by_ids([1, 3, 99])) == [1, 3]
        assert repo.by_ids([]) == []
        assert repo.delete_where(Thing.counter > 2) == 2
    with db.read() as s:
        assert ThingRepo(s).count() == 3


def test_row_lock_makes_increments_safe_under_concurrency(db: Database) -> None:
    """Eight threads, each doing 25 read-modify-write increments in their own transaction:
    with get_for_update (SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite)
    no increment is lost."""
    with db.write() as s:
        s.add(Thing(id=1, name="counter", counter=0))
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work() -> None:
        try:
            start.wait()
            for _ in range(25):
                with db.write() as s:
                    row = ThingRepo(s).get_for_update(1)
                    assert row is not None
                    row.counter += 1
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with db.read() as s:
        assert s.get(Thing, 1).counter == 200


def test_unique_name_under_concurrency_one_winner(db: Database) -> None:
    """Twelve threads insert the same name at once: exactly one commits, the others get
    Conflict (never a raw database error)."""
    results: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def work(i: int) -> None:
        start.wait()
        try:
            with db.write() as s:
                ThingRepo(s).add(Thing(id=100 + i, name="same"), conflict="taken")
            outcome = "ok"
        except exc.Conflict:
            outcome = "conflict"
        except BaseException as e:  # noqa: BLE001
            outcome = f"error: {e!r}"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results) == ["conflict"] * 11 + ["ok"], results


def test_read_transaction_sees_committed_data_only(db: Database) -> None:
    with db.write() as s:
        s.add(Thing(id=1, name="x", counter=1))
    seen: list[int] = []
    writing = threading.Event()
    done = threading.Event()

    def writer() -> None:
        with db.write() as s:
            s.get(Thing, 1).counter = 2
            s.flush()
            writing.set()
            done.wait(timeout=30)

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert writing.wait(timeout=30)
        with db.read() as s:
            seen.append(s.get(Thing, 1).counter)
    finally:
        done.set()
        t.join(timeout=60)
    assert seen == [1]  # no dirty read of the uncommitted 2
    with db.read() as s:
        assert s.get(Thing, 1).counter == 2


def test_identity_repositories_on_a_migrated_database(migrated: Database) -> None:
    with migrated.write() as s:
        DomainRepo(s).add(Domain(id="d1", name="One", enabled=True, extra={"k": "v"},
                                 options={}, tags=["t"]))
    with pytest.raises(exc.Conflict), migrated.write() as s:
        DomainRepo(s).add(Domain(id="d2", name="One", enabled=True, extra={}))
    with migrated.read() as s:
        d = DomainRepo(s).get("d1")
        assert d is not None and d.extra == {"k": "v"} and d.tags == ["t"]
        assert DomainRepo(s).by_name("One").id == "d1"
        assert DomainRepo(s).get("d2") is None


def test_tables_are_created_in_the_scratch_metadata_only(db: Database) -> None:
    # Sanity check of this module's own fixture: the scratch table is not a pocketstack one.
    table: Table = Thing.__table__  # type: ignore[assignment]
    assert isinstance(table.c.id, Column) and table.name.startswith("zz_")
