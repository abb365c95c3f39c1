"""Shared CLI plumbing: the app object, error handling, closed pipes, progress, JSON output.

Conventions every command follows (checked by ``tests/test_cli_conventions.py``):

* ``--json`` prints exactly one JSON object (:func:`print_json`);
* ``--data DIR`` on every command that reads the dataset (:data:`DATA_OPTION_HELP`);
* a FlopcastError anywhere below is one line on stderr and exit 1 (:class:`_Group`);
* a closed pipe (``flopcast forecast | head -1``) ends quietly with exit 0 (:func:`run`);
* anything that can run over a second shows a rich progress bar on stderr, only on a terminal
  and never with ``--json`` (:func:`progress`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import typer
import typer.core

from flopcast.core import jsonio
from flopcast.core.errors import FlopcastError
from flopcast.core.fmt import number

# The commands' number formatter is the library's one (flopcast.core.fmt).
fmt = number


class _Group(typer.core.TyperGroup):
    """Turns every FlopcastError (raised anywhere below) into one line on stderr and exit 1."""

    def invoke(self, ctx: Any) -> Any:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            try:
                return super().invoke(ctx)
            except BrokenPipeError:
                _quiet_stdout()
                raise typer.Exit(0) from None
            except FlopcastError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(1) from None
            except (
                FileNotFoundError,
                PermissionError,
                IsADirectoryError,
                NotADirectoryError,
            ) as exc:
                # A path the user gave cannot be read or written: their input, not our bug.
                where = f": {exc.filename}" if exc.filename else ""
                typer.echo(f"error: {exc.strerror or exc}{where}", err=True)
                raise typer.Exit(1) from None
            except ModuleNotFoundError as exc:
                top = (exc.name or "").split(".")[0]
                extra = _EXTRAS.get(top)
                if extra is None:
                    raise
                typer.echo(
                    f"error: this command needs {top}, which comes with the '{extra}' extra; "
                    f"install it with: pip install 'flopcast[{extra}]'",
                    err=True,
                )
                raise typer.Exit(1) from None


# Optional dependencies and the extra (pyproject.toml) that brings each one.
_EXTRAS = {
    "matplotlib": "report",
    "fastapi": "web",
    "uvicorn": "web",
    "starlette": "web",
    "httpx": "web",
    "torch": "torch",
    "transformers": "torch",
}


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    typer.echo(f"warning: {message}", err=True)


app = typer.Typer(
    cls=_Group,
    name="flopcast",
    help="Measure and forecast the compute behind AI reasoning models.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def sub_app(name: str, help: str) -> typer.Typer:
    """A command group (``flopcast data ...``) with the same error handling."""
    group = typer.Typer(
        cls=_Group,
        name=name,
        help=help,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.add_typer(group, name=name)
    return group


def print_json(obj: Any) -> None:
    """Print exactly one JSON object on stdout."""
    sys.stdout.write(jsonio.dumps(obj) + "\n")


def run(app: typer.Typer) -> None:
    """Run the app as the console script does; a reader that closed the pipe is not an error."""
    try:
        app()
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(0)
    except SystemExit as exc:
        _flush_or_quiet()
        raise exc from None
    _flush_or_quiet()


Tick = Callable[[str, int, int], None]  # (step description, steps done, steps in all)
DATA_OPTION_HELP = "Extra folder of model records, layered over the shipped ones."


@contextlib.contextmanager
def progress(json_out: bool, *, enabled: bool = True) -> Iterator[Tick | None]:
    """A rich progress bar on stderr, fed by ``tick(step, done, total)``.

    Yields None (no bar) with ``--json``, when stderr is not a terminal, or when ``enabled`` is
    False (a run known to be short).
    """
    if json_out or not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console  # rich: only when a bar is shown
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("working", total=None)

        def tick(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        yield tick


def _flush_or_quiet() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        _quiet_stdout()


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so Python's flush at exit does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # stdout is not a file descriptor (a test runner's buffer): nothing to quiet
