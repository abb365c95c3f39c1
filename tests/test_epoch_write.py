"""flopcast.evidence.epoch_write: atomic files and folders, OWASP-escaped CSV cells."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from flopcast.core.errors import DataError
from flopcast.evidence import dataset, epoch, epoch_write


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "cell, escaped",
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("DeepSeek-R1", "DeepSeek-R1"),  # a dash inside is harmless
        (None, ""),
    ],
)
def test_escape_cell(cell, escaped):
    assert epoch_write.escape_cell(cell) == escaped


def test_export_escapes_formula_cells_and_import_reports_them(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "evil.yaml").write_text(
        'id: evil\nname: "=cmd|\' /C calc\'!A0"\ndeveloper: "@lab"\nrelease_date: 2025-01-01\n'
        "rl:\n  estimate: 1e22 to 4e22\n  confidence: Likely\n"
        "  sources: [{url: 'https://example.org/x', title: x, states: x, accessed: 2026-01-01}]\n"
    )
    buf = io.StringIO()
    epoch_write.export_csv(dataset.load([user]), buf)
    line = next(ln for ln in buf.getvalue().splitlines() if "calc" in ln)
    assert line.startswith("'=cmd|' /C calc'!A0,'@lab,")  # OWASP: a leading quote
    rows = {r.model: r for r in epoch.read_csv(_write(tmp_path / "out.csv", buf.getvalue()))}
    evil = rows["=cmd|' /C calc'!A0"]  # the quote is removed again on import
    assert evil.organization == "@lab" and evil.formula_cells == ["model", "organization"]


def test_failed_export_leaves_the_old_file(tmp_path):
    target = tmp_path / "existing.csv"
    target.write_text("old")

    def broken(fh):
        fh.write("half of the new")
        raise DataError("a record failed midway")

    with pytest.raises(DataError):
        epoch_write.atomic_write(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["existing.csv"]  # no temporary left


def test_export_killed_midway_leaves_the_old_file(tmp_path):
    target = tmp_path / "existing.csv"
    target.write_text("old")
    script = (
        "import sys, time\n"
        "from flopcast.evidence import epoch\n"
        "def slow(fh):\n"
        "    fh.write('half of the new'); fh.flush(); print('writing', flush=True); time.sleep(60)\n"
        f"epoch.atomic_write({str(target)!r}, slow)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)  # midway: the new content is half written
    proc.wait(timeout=30)
    assert target.read_text() == "old"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "existing.csv"]
    assert all(name.startswith(".flopcast-existing.csv-") for name in leftovers)


def test_records_folder_is_written_whole_or_not_at_all(tmp_path):
    records, _ = epoch.to_records(
        epoch.read_csv(Path(__file__).parent / "data" / "epoch" / "notable_ai_models_fixture.csv")
    )
    written = epoch_write.write_records(records, tmp_path / "new")
    assert len(written) == len(records) and (tmp_path / "new").is_dir()
    clash = tmp_path / "used"
    clash.mkdir()
    (clash / "mine.yaml").write_text("keep")
    with pytest.raises(DataError) as err:
        epoch_write.write_records(records, clash)
    assert "choose a new or empty --out folder" in err.value.message
    assert [p.name for p in clash.iterdir()] == ["mine.yaml"]
    assert not list(tmp_path.glob(".flopcast-import-*"))


def test_records_differing_only_in_case_are_refused_before_writing(tmp_path):
    records, _ = epoch.to_records(
        epoch.read_csv(Path(__file__).parent / "data" / "epoch" / "notable_ai_models_fixture.csv")
    )
    twin = records[0].model_copy(update={"id": records[0].id})
    with pytest.raises(DataError, match="both be written"):
        epoch_write.write_records([records[0], twin], tmp_path / "out")
    assert not (tmp_path / "out").exists()
