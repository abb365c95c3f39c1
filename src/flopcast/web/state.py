"""The dashboard's state: the dataset (loaded once), caches, and a bound on concurrent work.

Every computation goes through :meth:`State.compute`, on the event loop:

* a result already made for an equal request is answered from the cache (no thread, no queue);
* an equal request already running is awaited, not started again (one run per distinct
  request, however many clients ask at once);
* otherwise the work is admitted if fewer than ``workers + queue`` computations are running or
  waiting, and run on a pool of ``workers`` threads; past that the server is busy and says so
  (:class:`Busy`: HTTP 503 with ``Retry-After``) instead of piling work up.

So at most ``workers`` computations hold memory at once, whatever the load, and the cache holds
small JSON-ready results only: the memory a burst takes is bounded, and is handed back after it.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flopcast.evidence import dataset
from flopcast.web.cache import LRU, MISSING, ClosedForms, Scenarios

# NB: one computation thread per process. The work is Python holding the GIL (numpy on small
# arrays): two threads took turns on it and served 15% fewer uncached requests under 50 clients
# (90 against 104 a second: bench_web_load.py run once with each, 2026-12-01). A long
# computation (a million draws) then holds back the other uncached requests of its process, not
# the cached ones; for more cores, `flopcast serve --workers N` (processes).
DEFAULT_WORKERS = 1
DEFAULT_QUEUE = 64  # waiting requests hold no draws: 50 concurrent clients are all admitted
RETRY_AFTER_S = 2


class Busy(Exception):
    """More computations are running and waiting than the server admits; try again shortly."""

    def __init__(self, running: int, limit: int):
        super().__init__(
            f"the server is busy ({running} computations running or queued, at most {limit}); "
            f"retry in {RETRY_AFTER_S} s"
        )
        self.retry_after = RETRY_AFTER_S


class State:
    def __init__(
        self,
        dataset_loader: Callable[[], Any] | None = None,
        *,
        cache_size: int = 64,
        workers: int = DEFAULT_WORKERS,
        queue: int = DEFAULT_QUEUE,
    ):
        self._loader = dataset_loader or dataset.load
        self._ds: Any = None
        self.results = LRU(cache_size)
        self.scenarios = Scenarios()
        self.closed_forms = ClosedForms(self.scenarios, cache_size)
        self.fragments = LRU(cache_size)  # encoded closed-form bands (flopcast.web.shaping)
        self.workers, self.limit = workers, workers + queue
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flopcast")
        self._running: dict[Hashable, Future] = {}
        self._lock = threading.Lock()
        self.computed = 0  # computations started (equal requests share one)

    def dataset(self) -> Any:
        if self._ds is None:  # NB: called from the pool; a second load in a race is harmless
            self._ds = self._loader()
        return self._ds

    @property
    def in_flight(self) -> int:
        return len(self._running)

    async def compute(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()`` once per distinct ``key``, on the worker pool, admitted within the bound."""
        hit = self.results.get(key)
        if hit is not MISSING:
            return hit
        started = False
        with self._lock:
            job = self._running.get(key)
            if job is None:
                if len(self._running) >= self.limit:
                    raise Busy(len(self._running), self.limit)
                job = self._running[key] = self._pool.submit(make)
                self.computed += 1
                started = True
        if started:
            job.add_done_callback(functools.partial(self._done, key))
        # shield: a client that goes away does not cancel the run the others are waiting for
        return await asyncio.shield(asyncio.wrap_future(job))

    def _done(self, key: Hashable, job: Future) -> None:
        with self._lock:
            if not job.cancelled() and job.exception() is None:
                self.results.put(key, job.result())  # cached before it stops counting as running
            del self._running[key]
            idle = not self._running
        if idle:
            _trim()  # the burst is over: hand freed memory back to the system

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


@functools.cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    lib = ctypes.CDLL(name) if name else None
    return lib if lib is not None and hasattr(lib, "malloc_trim") else None


def _trim() -> None:
    """glibc keeps freed arenas for reuse; ``malloc_trim(0)`` returns them (no-op elsewhere)."""
    lib = _libc()
    if lib is not None:
        lib.malloc_trim(0)
