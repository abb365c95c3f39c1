"""Shared CLI plumbing: the app object, error handling, JSON and table output."""

from __future__ import annotations

import json
import math
import sys
import warnings
from typing import Any

import typer
import typer.core

from flopcast.core.errors import FlopcastError


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


def _default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):  # numpy scalars and arrays
        return obj.tolist()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _clean(obj: Any) -> Any:
    """Replace NaN/inf (not valid JSON) with None, recursively."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def print_json(obj: Any) -> None:
    """Print exactly one JSON object on stdout."""
    sys.stdout.write(json.dumps(_clean(obj), default=_default, indent=2) + "\n")


def fmt(x: float | None, digits: int = 2) -> str:
    """Compact scientific notation used in tables: 9.9e22."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if x == 0:
        return "0"
    a = abs(x)
    if 1e-3 <= a < 1e4:
        return f"{x:.{digits + 1}g}"
    return f"{x:.{digits - 1}e}".replace("e+", "e").replace("e0", "e").replace("e-0", "e-")
