"""Shared CLI plumbing: the app object, error handling, JSON and table output."""

from __future__ import annotations

import sys
import warnings
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
