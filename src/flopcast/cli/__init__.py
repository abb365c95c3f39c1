"""The ``flopcast`` command line: a thin adapter over the library.

Each command module only parses options, calls the public library and prints. Modules register
their commands with :func:`register`; heavy libraries (matplotlib, torch, fastapi) are imported
inside the command bodies that need them, so ``flopcast --help`` stays fast.

Exit codes: 0 ok, 1 bad input or data (one line on stderr, no traceback), 2 usage.
"""

from __future__ import annotations

from flopcast.cli._common import app


def _register_all() -> None:
    # Import order is the order commands appear in --help.
    from flopcast.cli import estimate

    estimate.register(app)
    for name in ("hardware", "models", "accounting", "forecast", "show", "ledger", "calibrate"):
        try:
            module = __import__(f"flopcast.cli.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:  # a command module not written yet
            if exc.name != f"flopcast.cli.{name}":
                raise
            continue
        module.register(app)


_register_all()


def main() -> None:
    """Console-script entry point."""
    app()
