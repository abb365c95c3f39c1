"""Atomic report folders: a report is written whole into a hidden sibling, then renamed in place.

An existing report is never half-overwritten: :func:`staged` yields a temporary folder next to
the target (``.NAME.partial-PID-XXXX``), and only when everything is written is the old folder
moved aside (``.NAME.old-PID-XXXX``), the new one renamed into place and the old one deleted.
A run killed while writing leaves the old report as it was (and a partial folder that the next
run removes); a run killed between the two renames leaves the old report under its ``.old``
name, which the next run puts back before anything else.

The target must be a new path, an empty folder or an earlier report (a folder with
``report.json``): replacing a folder means deleting what was in it, so any other folder is
refused with one line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flopcast.core.errors import InputError

MARKER = "report.json"  # a folder holding this file is a report flopcast may replace


@contextlib.contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """A temporary sibling of ``out`` to write into; renamed to ``out`` if the block succeeds."""
    target = Path(out).absolute()
    check_target(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-{os.getpid()}-", dir=parent))
    try:
        os.chmod(tmp, _folder_mode(target))
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap(tmp, target)


def check_target(target: Path) -> None:
    """Refuse an output path that is a file, or a folder that is neither empty nor a report."""
    if target.exists() and not target.is_dir():
        raise InputError(
            f"--out {target} is a file; a report is a folder of files: give a new folder, "
            "an empty one, or an earlier report's"
        )
    if target.is_dir() and not (target / MARKER).is_file() and any(target.iterdir()):
        raise InputError(
            f"--out {target} is a folder that holds no flopcast report ({MARKER}); the report "
            "replaces its folder, so give a new folder, an empty one, or an earlier report's"
        )
    for p in target.parents:  # a file where a folder is needed: one line, before any writing
        if p.exists():
            if not p.is_dir():
                raise InputError(f"--out {target}: {p} is a file, not a folder")
            break


def recover(target: Path) -> None:
    """Put back a report a killed run had moved aside; remove partial folders of dead runs."""
    for sibling in target.parent.glob(f".{target.name}.*-*-*"):
        kind, _, rest = sibling.name[len(target.name) + 2 :].partition("-")
        pid = rest.split("-", 1)[0]
        if kind not in ("partial", "old") or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind == "old" and not target.exists():
            os.rename(sibling, target)
        else:
            shutil.rmtree(sibling, ignore_errors=True)


def _swap(tmp: Path, target: Path) -> None:
    if not target.exists():
        os.rename(tmp, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
    os.rmdir(old)  # a unique name, free for the rename
    os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _folder_mode(target: Path) -> int:
    """The old folder's permissions, or what a new folder gets under the current umask."""
    if target.is_dir():
        return target.stat().st_mode & 0o7777
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask
