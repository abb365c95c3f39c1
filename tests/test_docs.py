"""Documentation examples run: every ```python block in README.md and docs/*.md.

Blocks of one file share a namespace and run in order, as a reader would paste them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize(
    "path", [p for p in DOCS if p.exists() and BLOCK.search(p.read_text())], ids=lambda p: p.name
)
def test_doc_examples_run(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write here
    namespace: dict = {"__name__": "__doc_example__"}
    for i, match in enumerate(BLOCK.finditer(path.read_text())):
        code = compile(match.group(1), f"{path.name}[block {i + 1}]", "exec")
        exec(code, namespace)  # noqa: S102 - our own documentation, not user input
