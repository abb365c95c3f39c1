"""Work the report can do while its figures draw: run in a forked child process.

:func:`background` starts ``work()`` in a child made by ``fork``, which inherits the loaded
dataset as it is (nothing is pickled but the result), and yields a function that waits for the
result. The numbers are the same as in-process: every draw is seeded by (seed, input name).
Where ``fork`` is not available (Windows) the work runs in-process when its result is asked for.
A failure in the child is raised in the parent with the child's traceback; a child that is not
waited for is ended when the block exits.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
JOIN_SECONDS = 60  # NB: a finished child exits at once; this only bounds a stuck one


@contextlib.contextmanager
def background(work: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """``work()`` in a forked child; yields a function that waits for and returns its result."""
    if "fork" not in mp.get_all_start_methods():
        yield work
        return
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            send.send(("ok", work()))
        except BaseException:  # said in the parent, with the child's traceback
            send.send(("failed", traceback.format_exc()))
        finally:
            send.close()

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    send.close()
    got: list[Any] = []

    def result() -> T:
        if not got:
            try:
                kind, value = receive.recv()
            except EOFError:
                kind, value = "failed", f"the child process ended with code {proc.exitcode}"
            if kind != "ok":
                raise RuntimeError(f"the report's background work failed:\n{value}")
            got.append(value)
        return got[0]

    try:
        yield result
    finally:
        receive.close()
        proc.join(timeout=JOIN_SECONDS)
        if proc.is_alive():
            proc.kill()
