"""``flopcast report`` and ``flopcast serve``: thin adapters over ``flopcast.report`` and ``flopcast.web``.

matplotlib, FastAPI and uvicorn are imported inside the command bodies, so ``flopcast --help``
and every other command stay light.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from flopcast.cli._common import DATA_OPTION_HELP, print_json, progress
from flopcast.core.errors import InputError
from flopcast.web import MAX_WORKERS

OutOpt = typer.Option(
    Path("report"), "--out", "-o", help="Folder to write into (created if missing)."
)
SetOpt = typer.Option(
    None, "--set", help='Override a parameter: --set growth.months_per_10x="3 to 5".'
)
DataOpt = typer.Option(None, "--data", help=DATA_OPTION_HELP)


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
    from flopcast.report.build import build  # numpy, and matplotlib: only for this command

    overrides = _parse_sets(sets)
    with progress(json_out) as tick:
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
                "lead": report.data.get("lead"),  # the as-of status, said first
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
    data: list[Path] = DataOpt,
    workers: int = typer.Option(
        1,
        "--workers",
        "-w",
        min=1,
        max=MAX_WORKERS,
        help="Server processes, one socket each (2 doubles the throughput of uncached "
        "requests on 2 cores).",
    ),
) -> None:
    from flopcast.web.server import LOOPBACK  # the web extra (fastapi, uvicorn) loads with it

    if host not in LOOPBACK and not public:
        raise InputError(
            f"--host {host} is not a loopback address; the dashboard has no "
            "authentication, so pass --public as well if you mean it"
        )
    from flopcast.evidence import dataset  # lazily, as the other commands
    from flopcast.web.server import listen_socket, serve

    # the records are loaded (and checked) before the socket opens: a bad --data folder is
    # one error line, not a dashboard that fails on its first request
    dirs = [str(d) for d in data or []]
    records = dataset.load(dirs or None)
    sock = listen_socket(host, port, reuse_port=workers > 1)
    bound = sock.getsockname()[1]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{bound}/"
    if json_out:
        print_json({"url": url, "api": url + "api/openapi.json", "host": host, "port": bound})
    else:
        typer.echo(
            f"flopcast dashboard on {url} (API schema {url}api/openapi.json); Ctrl-C stops it"
        )
    sys.stdout.flush()
    serve(sock, dirs, workers=workers, records=records)


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
