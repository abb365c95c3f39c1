"""What the report's fork server imports once, before it forks any figure process.

multiprocessing's fork server imports its preload modules at start
(:func:`flopcast.report.background.prestart`); this is the one it is given. It imports the
figure code (light: the core's formatter and calendar and matplotlib, none of the estimates)
and matplotlib's two backends (each otherwise imported on first use), then freezes the garbage
collector's view of what they made.

NB: the freeze is for the server's exit. The server keeps the command's stdout and stderr open
until it ends, so a pipe or ``$(flopcast report --json)`` waits for it; it ends when the report
does, and its last garbage collection over matplotlib's objects took 0.06-0.08 s of that
(the end of a report's output read through a pipe came that long after the report ended; now
0.015 s). Frozen objects are skipped by that collection and by those of the
figure processes forked from here, which inherit them as they are.
"""

from __future__ import annotations

import gc

import matplotlib.backends.backend_agg  # noqa: F401
import matplotlib.backends.backend_svg  # noqa: F401

import flopcast.report.catalog  # noqa: F401
import flopcast.report.figures  # noqa: F401

gc.freeze()
