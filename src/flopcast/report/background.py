"""Work the report can do while its figures draw: run in a forked child process.

:func:`background` starts ``work()`` in a child made by ``fork``, which inherits the loaded
dataset as it is (nothing is pickled but the result), and yields a function that waits for the
result. The numbers are the same as in-process: every draw is seeded by (seed, input name).
Where ``fork`` is not available (Windows) the work runs in-process when its result is asked for.
A failure in the child is raised in the parent with the child's traceback (an ``ImportError``, a
missing extra, as it is); a child that is not waited for is ended when the block exits.

:func:`figure_pool` is where the figures draw: a :class:`~concurrent.futures.ProcessPoolExecutor`
whose processes are forked by multiprocessing's fork server, which imported matplotlib and the
figure code once (:mod:`flopcast.report.preload`). :func:`prestart` starts that server early
(``flopcast report`` calls it before parsing its options), so the imports overlap the caller's.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, TypeVar

from flopcast.core.processes import end_with_parent

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


# What the fork server imports once, so that every figure process starts with it: one module
# that imports the figure code and matplotlib's backends (flopcast.report.preload).
PRELOAD = ("flopcast.report.preload",)


class _Pool(ProcessPoolExecutor):
    """A process pool whose processes never run the caller's ``__main__``.

    multiprocessing's spawn and fork-server children import the parent's main module again
    (as ``__mp_main__``), so a plain script that calls ``build()`` without an ``if __name__ ==
    "__main__":`` guard would run again in each figure process. The figure tasks need nothing
    from it (they are functions of :mod:`flopcast.report.catalog`), so while this pool starts
    a process (on ``submit``) the main module is a bare stand-in, and there is none to run.
    """

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Any:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            return super().submit(fn, *args, **kwargs)
        finally:
            sys.modules["__main__"] = main


def _forkserver() -> Any:
    """multiprocessing's fork-server context with :data:`PRELOAD`; None where there is none."""
    if "forkserver" not in mp.get_all_start_methods():
        return None
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    return ctx


def prestart() -> None:
    """Start the fork server now: it imports :data:`PRELOAD` while the caller goes on.

    NB: a module that fails to import there is skipped (multiprocessing's rule); a figure
    process then imports it itself and raises its own ``ImportError`` (a missing extra).
    """
    if _forkserver() is not None:
        from multiprocessing import forkserver

        forkserver.ensure_running()


@contextlib.contextmanager
def figure_pool(count: int) -> Iterator[Executor | None]:
    """A pool of ``count`` processes forked from the fork server (:func:`prestart`); None for
    ``count`` 0 or where there is no fork server (the caller then draws in-process)."""
    ctx = _forkserver() if count > 0 else None
    if ctx is None:
        yield None
        return
    with _Pool(max_workers=count, mp_context=ctx, initializer=end_with_parent) as pool:
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
