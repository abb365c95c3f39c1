"""The integration pages run: every ```python block in docs/integrations/*.md.

As tests/test_docs.py does for docs/*.md: a page's blocks share a namespace and run in order in
a temporary directory.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs" / "integrations").glob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
NEEDS = {"trl.md": "trl", "ray-verl.md": "ray", "torch-distributed.md": "torch"}


@pytest.mark.parametrize(
    "path", [p for p in PAGES if BLOCK.search(p.read_text())], ids=lambda p: p.name
)
def test_integration_examples_run(path, tmp_path, monkeypatch):
    if path.name in NEEDS:
        pytest.importorskip(NEEDS[path.name])
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__doc_example__"}
    for i, match in enumerate(BLOCK.finditer(path.read_text())):
        code = compile(match.group(1), f"{path.name}[block {i + 1}]", "exec")
        exec(code, namespace)  # noqa: S102 - our own documentation, not user input


def test_every_integration_has_a_page():
    names = {p.stem for p in PAGES}
    assert {"ledger", "trl", "torch-distributed", "ray-verl", "prometheus"} <= names
