"""SQLite writers take turns through a file lock before BEGIN IMMEDIATE (assessor.database)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from assessor.database import _sqlite_pragmas


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    _sqlite_pragmas(engine, 200)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    return engine


def _write(engine: Engine, n: int, hold: float = 0.0) -> None:
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
        time.sleep(hold)


def test_writers_take_turns_and_each_one_is_kept(engine: Engine) -> None:
    writers = [threading.Thread(target=_write, args=(engine, n, 0.01)) for n in range(12)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=10)
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT n FROM t")).scalars()) == list(range(12))


def test_a_writer_held_too_long_is_refused_in_bounded_time(engine: Engine) -> None:
    # busy_timeout is 200 ms: at most that in the queue, then SQLite's own wait.
    holder = threading.Thread(target=_write, args=(engine, 1, 1.5))
    holder.start()
    time.sleep(0.1)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):
        _write(engine, 2)
    assert time.monotonic() - started < 1.2
    holder.join()


def test_a_failed_transaction_lets_the_next_writer_in(engine: Engine) -> None:
    with pytest.raises(RuntimeError):
        with engine.connect().execution_options(immediate=True) as conn, conn.begin():
            conn.execute(text("INSERT INTO t VALUES (1)"))
            raise RuntimeError("boom")
    done = threading.Thread(target=_write, args=(engine, 2))
    done.start()
    done.join(timeout=5)
    assert not done.is_alive()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t")).scalars().all() == [2]


@pytest.mark.parametrize("second", ["the same engine", "another engine on the file"])
def test_a_second_write_from_the_same_thread_fails_instead_of_waiting_for_itself(
    engine: Engine, tmp_path: Path, second: str
) -> None:
    other = engine
    if second == "another engine on the file":  # one queue per file, whichever engine
        other = create_engine(f"sqlite:///{tmp_path / 'w.db'}")
        _sqlite_pragmas(other, 200)
    outcome: list[str] = []

    def nested() -> None:
        with engine.connect().execution_options(immediate=True) as conn, conn.begin():
            conn.execute(text("INSERT INTO t VALUES (1)"))
            try:
                _write(other, 2)
            except OperationalError as exc:
                outcome.append("locked" if "locked" in str(exc) else repr(exc))

    worker = threading.Thread(target=nested)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the nested writer waited for itself"
    assert outcome == ["locked"]
    _write(other, 3)  # and the queue is free afterwards
