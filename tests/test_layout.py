"""The layout promises of docs/ARCHITECTURE.md, checked (issue 9).

- no module under src/ is over 450 lines (split by concern before that);
- every test module maps to a library module: ``test_<module>.py`` or
  ``test_<package>_<module>.py``, except the end-to-end suites named below with their reason.
The layer and no-cycle contracts are checked by ``lint-imports`` (.importlinter), which
scripts/check and .ci/run run beside the tests.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "flopcast"
MAX_LINES = 450

# Suites that test a promise across modules rather than one module.
END_TO_END = {
    "test_golden": "JSON of the main commands against files written before the layout change",
    "test_readme": "the README's commands and examples",
    "test_docs": "every documentation example runs",
    "test_layout": "this file",
    "test_torch_validation": "the accounting formulas against PyTorch's FlopCounterMode",
    "test_web_browser": "the dashboard page in Chromium",
    "test_web_schemathesis": "the whole API against its OpenAPI schema",
    "test_docs_integrations": "the examples of docs/integrations/",
    "test_fuzz": "bad input on every surface (issue 14)",
    "test_cli_conventions": "--json, --data, closed pipes across every command",
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if path.name in ("__init__.py", "__main__.py"):
            names = ["_".join(rel.parts[:-1])] if len(rel.parts) > 1 else []
        else:
            stem = path.stem.lstrip("_")
            names = [stem, "_".join((*rel.parts[:-1], stem))]
            if len(rel.parts) > 2:  # e.g. accounting/track/trl.py -> track_trl
                names.append("_".join((*rel.parts[1:-1], stem)))
        for name in names:
            out.setdefault(name, path)
    return out


def test_no_module_is_over_the_limit() -> None:
    big = {
        str(p.relative_to(ROOT)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert big == {}, f"split these by concern (limit {MAX_LINES} lines): {big}"


def test_every_test_module_maps_to_a_module() -> None:
    modules = _modules()
    orphans = [
        p.stem
        for p in (ROOT / "tests").glob("test_*.py")
        if p.stem not in END_TO_END and p.stem.removeprefix("test_") not in modules
    ]
    assert orphans == [], f"name each test module after the module it tests: {orphans}"


def test_the_mapping_rule_itself() -> None:
    modules = _modules()
    assert modules["uncertain"] == SRC / "core" / "uncertain.py"
    assert modules["cli_forecast"] == SRC / "cli" / "forecast.py"
    assert "no_such_module" not in modules
