"""Work the report can do while its figures draw: run in a forked child process.

:func:`background` starts ``work()`` in a child made by ``fork``, which inherits the loaded
dataset as it is (nothing is pickled but the result), and yields a function that waits for the
result. :func:`workers` starts children before their input exists: each can get ready (import
matplotlib, say) while the parent computes what it then sends them. The numbers are the same as in-process: every draw is seeded by (seed, input name).
Where ``fork`` is not available (Windows) the work runs in-process when its result is asked for.
A failure in the child is raised in the parent with the child's traceback (an ``ImportError``, a
missing extra, as it is); a child that is not waited for is ended when the block exits.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing as mp
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
X = TypeVar("X")
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
        except ImportError as exc:  # a missing extra: raised in the parent as it is
            send.send(("missing", exc))
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
            if kind == "missing":
                raise value
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


@contextlib.contextmanager
def workers(
    ready: Callable[[], Any], work: Callable[[int, X], T], count: int
) -> Iterator[Callable[[X], list[T]]]:
    """``count`` forked children, started now: each runs ``ready()``, then waits for an input
    ``x`` and returns ``work(i, x)`` (``i``: its index). Yields ``give(x)``, which sends ``x`` to
    every child and returns their results in order. Without ``fork``, ``give`` runs it all here.
    """
    if "fork" not in mp.get_all_start_methods():

        def here(x: X) -> list[T]:
            ready()
            return [work(i, x) for i in range(count)]

        yield here
        return
    pipes = [mp.get_context("fork").Pipe(duplex=False) for _ in range(count)]

    def serve(i: int) -> T:
        for j, (_, send) in enumerate(pipes):
            send.close()  # a parent that dies ends the wait below with EOFError
            if j != i:
                pipes[j][0].close()
        ready()
        return work(i, pipes[i][0].recv())

    with contextlib.ExitStack() as stack:
        pending = [
            stack.enter_context(background(functools.partial(serve, i))) for i in range(count)
        ]
        for receive, send in pipes:
            receive.close()
            stack.callback(send.close)  # first on the way out: a child still waiting stops

        def give(x: X) -> list[T]:
            for _, send in pipes:
                with contextlib.suppress(BrokenPipeError):  # it ended early: its result says why
                    send.send(x)
            return [p() for p in pending]

        yield give
