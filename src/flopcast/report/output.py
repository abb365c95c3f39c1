"""Atomic report folders: a report is written whole into a hidden sibling, then renamed in place.

An existing report is never half-overwritten: :func:`staged` yields a temporary folder next to
the target (``.NAME.partial-<pid>-<random>``), and only when everything is written does the new folder
take the target's name; the old one is then deleted.
On Linux the swap is one atomic ``renameat2(RENAME_EXCHANGE)``; elsewhere it is two renames,
and a run killed between them leaves the old report under its ``.old`` name, which the next run
puts back before anything else. A run killed while writing leaves the old report as it was
(and a partial folder that the next run removes).

The target must be a new path, an empty folder or an earlier report (a folder with
``report.json``): replacing a folder means deleting what was in it, so any other folder is
refused with one line.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    if _exchange(tmp, target):  # one atomic step: the new report in place, the old one in tmp
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
    os.rmdir(old)  # a unique name, free for the rename
    os.rename(target, old)  # NB: a kill right here leaves the old report aside; recover() undoes it
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h: swap the two names atomically


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where it is not available."""
    lib = _libc()
    if lib is None:
        return False
    rc = lib.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


@functools.cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    lib = ctypes.CDLL(name, use_errno=True) if name else None
    return lib if lib is not None and hasattr(lib, "renameat2") else None


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
