"""Child processes that end with their parent: :func:`end_with_parent`.

A process started by multiprocessing (a report's figure process, a dashboard server process)
otherwise outlives a parent killed without a chance to stop it (SIGKILL, or SIGTERM's default
action): a pool's process waits on a task queue whose writing end it holds itself, and a server
process keeps serving its port.
"""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.connection
import os
import signal
import threading


def end_with_parent(*, graceful: bool = False) -> None:
    """In a multiprocessing child: start a thread that ends this process when its parent ends.

    The thread waits on the parent's sentinel, the reading end of a pipe only the parent
    writes to, which reaches end-of-file when the parent is gone. It then exits at once, or with
    ``graceful`` sends this process SIGTERM (a server's own shutdown). Nothing happens in a
    process that multiprocessing did not start.
    """
    parent = mp.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        if graceful:
            os.kill(os.getpid(), signal.SIGTERM)
        else:
            os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
