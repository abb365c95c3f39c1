"""The ``flopcast`` command line: a thin adapter over the library.

Each command module only parses options, calls the public library and prints. A module exposes
``register(app)``; it is listed once in :data:`COMMAND_MODULES` (one line per module, in the
order its commands appear in ``--help``). Heavy libraries (numpy, matplotlib, torch, fastapi)
are imported inside the command bodies that need them, so ``flopcast --help`` stays fast.

Exit codes: 0 ok, 1 bad input or data (one line on stderr, no traceback), 2 usage; a closed
pipe (``flopcast forecast | head -1``) ends quietly with 0.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

from flopcast.cli._common import app, run

COMMAND_MODULES = (
    "estimate",
    "hardware",
    "models",
    "accounting",
    "forecast",
    "show",
    "ledger",
    "calibrate",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"flopcast.cli.{_name}").register(app)


def main() -> None:
    """Console-script entry point."""
    # NB: one BLAS thread unless the user says otherwise, set before numpy loads (and passed to
    # the report's and the server's processes). flopcast's arrays are small or elementwise, so
    # OpenBLAS's extra threads only spin-wait; on a 2-core box they took about 0.1 s of the
    # report's 1.8 s from its figure processes (benchmarks/bench_report.py).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if sys.argv[1:2] == ["report"]:
        # NB: the report's figure processes import matplotlib (about 0.35 s) in multiprocessing's
        # fork server. Started here, before typer parses the command line (0.08 s: its parameter
        # adapters import pydantic), the server is ready before the first figure's data is. A
        # `report --help` or a refused option starts it for nothing; it ends with this process.
        from flopcast.report import background

        background.prestart()
    try:
        run(app)
    finally:
        # NB: at exit the interpreter runs one last full garbage collection over every object
        # the command made (numpy, matplotlib, the dataset): about 0.08 s of `flopcast
        # report`'s 1.7 s on a 2-core box (benchmarks/bench_report.py), for memory the OS
        # takes back anyway. That collection skips frozen objects; reference counting still
        # frees them as the modules are cleared. Everything is written and flushed by now.
        gc.freeze()
