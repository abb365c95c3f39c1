"""``flopcast report`` and ``flopcast serve``: thin adapters over ``flopcast.report`` and ``flopcast.web``.

matplotlib, FastAPI and uvicorn are imported inside the command bodies, so ``flopcast --help``
and every other command stay light.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from flopcast.cli._common import print_json
from flopcast.core.errors import InputError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
OutOpt = typer.Option(
    Path("report"), "--out", "-o", help="Folder to write into (created if missing)."
)
SetOpt = typer.Option(
    None, "--set", help='Override a parameter: --set growth.months_per_10x="3 to 5".'
)
DataOpt = typer.Option(
    None, "--data", help="Extra folder of model records, layered over the shipped ones."
)


def register(app: typer.Typer) -> None:
    app.command(
        "report",
        help="Write the HTML report (self-contained index.html), its figures "
        "(PNG and SVG) and report.md.",
    )(report_command)
    app.command(
        "serve", help="Run the local dashboard (page and JSON API under /api) on 127.0.0.1."
    )(serve_command)


def report_command(
    out: Path = OutOpt,
    scenario: str = typer.Option(
        "seed-analysis",
        "--scenario",
        "-s",
        help="A shipped scenario name (seed-analysis, latest-evidence) or a YAML file.",
    ),
    sets: list[str] = SetOpt,
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same report)."),
    samples: int = typer.Option(
        20_000, "--samples", "-n", min=1_000, max=1_000_000, help="Monte Carlo draws."
    ),
    years: float = typer.Option(
        6.0, "--years", min=1, max=30, help="Years of trajectory in the fan chart."
    ),
    benchmark: str = typer.Option(
        None, "--benchmark", help="Benchmark of the score figure (default: AIME 2024)."
    ),
    data: list[Path] = DataOpt,
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    from flopcast.report.build import build

    overrides = _parse_sets(sets)
    with _progress(json_out) as tick:
        report = build(
            out,
            scenario=scenario,
            overrides=overrides,
            seed=seed,
            n=samples,
            horizon_years=years,
            benchmark=benchmark,
            extra_dirs=[str(d) for d in data] if data else None,
            progress=tick,
        )
    files = {name: str(path) for name, path in report.files.items()}
    if json_out:
        print_json(
            {
                "out": str(report.out_dir),
                "files": files,
                "headline": report.data["headline"],
                "meta": report.data["meta"],
            }
        )
        return
    typer.echo(report.headline)
    typer.echo(f"wrote {len(files)} files to {report.out_dir}/ (open {report.files['index.html']})")


def serve_command(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind; loopback unless --public."
    ),
    port: int = typer.Option(
        8000, "--port", "-p", min=0, max=65535, help="TCP port (0: any free port)."
    ),
    public: bool = typer.Option(
        False, "--public", help="Allow binding a non-loopback address (no auth!)."
    ),
    json_out: bool = typer.Option(
        False, "--json", help="Print one JSON object with the URL, then serve."
    ),
) -> None:
    if host not in LOOPBACK and not public:
        raise InputError(
            f"--host {host} is not a loopback address; the dashboard has no "
            "authentication, so pass --public as well if you mean it"
        )
    from flopcast.web.app import create_app  # fastapi, uvicorn: the web extra
    from flopcast.web.server import listen_socket, serve

    sock = listen_socket(host, port)
    bound = sock.getsockname()[1]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{bound}/"
    if json_out:
        print_json({"url": url, "api": url + "api/openapi.json", "host": host, "port": bound})
    else:
        typer.echo(
            f"flopcast dashboard on {url} (API schema {url}api/openapi.json); Ctrl-C stops it"
        )
    sys.stdout.flush()
    serve(sock, create_app())


def _parse_sets(sets: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in sets or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(
                f'--set {item!r} is not key=value, e.g. --set growth.months_per_10x="3 to 5"'
            )
        out[key.strip()] = value.strip()
    return out


@contextmanager
def _progress(json_out: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar on stderr while the report is made, only on a terminal."""
    if json_out or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("report", total=None)

        def tick(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        yield tick
