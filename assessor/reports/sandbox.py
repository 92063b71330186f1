"""Each PDF render in a process of its own, with a wall-clock limit and a memory limit.

The child forks from multiprocessing's forkserver, which has WeasyPrint imported already
(never ``fork`` from a threaded server); it sets ``RLIMIT_AS`` (and ``RLIMIT_CPU`` a little
past the time limit, so that it ends by itself should its parent die), renders, sends the
PDF back through a pipe and exits.  The parent waits at most the time limit and kills it
past that.  A render that runs out of time or memory, or whose process dies, raises
:class:`RenderLimitHit`; nothing here retries.  A fresh process per render also keeps
WeasyPrint's memory from accumulating anywhere (a pool of long-lived workers cannot kill
one task, and its workers grow).

:func:`stop_all` kills the renders in flight and stops the forkserver; the CLI calls
:func:`install_signal_handlers` so that SIGTERM and SIGINT do so before the process ends
(Python runs no ``atexit`` on SIGTERM).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

from assessor.reports.render import Assets, render_pdf

#: How long a killed or finished child may take to be reaped.
_REAP_SECONDS = 5.0


@dataclass(frozen=True)
class Limits:
    """What one render may use: wall-clock seconds and address space in MB."""

    seconds: float
    memory_mb: int

    def describe(self) -> str:
        return f"{self.seconds:g} seconds and {self.memory_mb} MB"


@dataclass(frozen=True)
class Rendered:
    """A finished render: the PDF, the child's pid, seconds and peak address space (MB)."""

    data: bytes
    pid: int
    seconds: float
    peak_mb: int


class RenderLimitHit(Exception):
    """The render ran out of time or memory, or its process died (``what`` says which)."""

    def __init__(self, what: str, limits: Limits, pid: int | None, seconds: float) -> None:
        super().__init__(f"render stopped: {what} (limits: {limits.describe()})")
        self.what = what
        self.limits = limits
        self.pid = pid
        self.seconds = seconds


class RenderFailed(Exception):
    """The render raised an error of its own (a bug, not a limit)."""


_children: set[BaseProcess] = set()


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["weasyprint", "assessor.reports.sandbox", "assessor.reports.warm"]
    )
    return context


def apply_limits(limits: Limits) -> None:
    """Limit this process (a render's own): ``RLIMIT_AS`` to the memory limit, ``RLIMIT_CPU``
    a little past the time limit (so it ends by itself should its parent die), no core."""
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(limits.seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a process stopped by a limit dumps no core


def peak_mb() -> int:
    """This process's peak address space (what RLIMIT_AS limits), in MB."""
    for line in open("/proc/self/status").read().splitlines():  # noqa: SIM115
        if line.startswith("VmPeak:"):
            return int(line.split()[1]) // 1024
    return 0


def _child(
    conn: Connection, html: str, assets: dict[str, tuple[bytes, str]], limits: Limits
) -> None:
    """In the child: limit it, render, send ``(kind, payload, peak MB)``, exit at once."""
    apply_limits(limits)
    status = 0
    try:
        data = render_pdf(html, assets, exiting=True)  # no collection: it exits next
        conn.send_bytes(data)
    except MemoryError:
        status = 3  # the parent reads the exit status: out of memory
    except BaseException as exc:  # noqa: BLE001  (everything is reported to the parent)
        status = 4
        with contextlib.suppress(BaseException):
            conn.send_bytes(f"{exc.__class__.__name__}: {exc}"[:500].encode())
    else:
        with contextlib.suppress(BaseException):
            conn.send_bytes(str(peak_mb()).encode())
    conn.close()
    os._exit(status)  # no interpreter teardown of WeasyPrint's heap


def render_bounded(
    html: str,
    assets: Assets | None,
    limits: Limits,
    on_start: Callable[[int], None] | None = None,
) -> Rendered:
    """Render ``html`` to PDF in a child process within ``limits``.

    ``on_start`` is called with the child's pid once it runs.

    :raise RenderLimitHit: out of time or memory, or the child died.
    :raise RenderFailed: the render raised an error.
    """
    context = _context()
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(writer, html, dict(assets or {}), limits), daemon=True
    )
    start = time.monotonic()
    _children.add(process)
    rendered = None
    try:
        process.start()
        writer.close()
        if on_start is not None:
            on_start(process.pid or 0)
        rendered = _receive(process, reader, limits, start)
        return rendered
    finally:
        reader.close()
        if rendered is None:  # stopped, failed or died: make sure it is gone
            if process.is_alive():
                process.kill()
            process.join(_REAP_SECONDS)
        # A render that succeeded is not waited for: its child exits by itself (freeing a
        # few hundred MB takes it 10-50 ms), the forkserver reaps it, and multiprocessing
        # forgets it at the next start.
        _children.discard(process)


def _receive(process: BaseProcess, reader: Connection, limits: Limits, start: float) -> Rendered:
    def elapsed() -> float:
        return time.monotonic() - start

    def hit(what: str) -> RenderLimitHit:
        return RenderLimitHit(what, limits, process.pid, elapsed())

    if not reader.poll(max(0.0, limits.seconds - elapsed())):
        process.kill()
        raise hit("time limit")
    try:
        first = reader.recv_bytes()
    except EOFError:
        process.join(_REAP_SECONDS)
        raise hit("out of memory" if process.exitcode == 3 else "process died") from None
    # The child sends its peak only after the PDF of a render that succeeded: with both,
    # the render is done whenever its process ends.
    try:
        peak = int(reader.recv_bytes()) if reader.poll(_REAP_SECONDS) else None
    except (EOFError, ValueError):
        peak = None
    if peak is not None:
        return Rendered(first, process.pid or 0, elapsed(), peak)
    process.join(_REAP_SECONDS)
    if process.exitcode == 4:
        raise RenderFailed(first.decode(errors="replace"))
    if process.exitcode == 3:
        raise hit("out of memory")
    if process.exitcode != 0:
        raise hit("process died")
    return Rendered(first, process.pid or 0, elapsed(), 0)


# --- ending with the server --------------------------------------------------------------


def stop_all() -> None:
    """Kill every render in flight and stop the forkserver (it starts again when needed)."""
    killed = list(_children)
    for process in killed:
        with contextlib.suppress(Exception):
            process.kill()
    deadline = time.monotonic() + 2  # let the forkserver reap them before it ends
    while any(running(p.pid) for p in killed) and time.monotonic() < deadline:
        time.sleep(0.01)
    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)  # CPython's own way to end it (used by its tests)
    if callable(stop):
        with contextlib.suppress(Exception):
            stop()


def running(pid: int | None) -> bool:
    """Whether process ``pid`` exists and is not a zombie (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def install_signal_handlers() -> None:
    """On SIGTERM and SIGINT, :func:`stop_all` first, then what the signal did before."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if getattr(previous, "stops_renders", False):
            continue
        signal.signal(signum, _handler(previous))


def _handler(previous: Any) -> Callable[[int, FrameType | None], Any]:
    def handle(signum: int, frame: FrameType | None) -> Any:
        stop_all()
        if callable(previous):
            return previous(signum, frame)  # SIGINT: KeyboardInterrupt, as before
        if previous == signal.SIG_IGN:
            return None
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # end as the signal would have
        return None

    handle.stops_renders = True  # type: ignore[attr-defined]
    return handle
