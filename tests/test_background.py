"""flopcast.report.background: work done in a forked child while the report draws."""

from __future__ import annotations

import os

import pytest

from flopcast.report.background import background


def test_the_result_comes_back_from_the_child():
    parent = os.getpid()
    with background(lambda: {"pid": os.getpid(), "sum": sum(range(10))}) as pending:
        got = pending()
    assert got["sum"] == 45  # 0 + 1 + ... + 9
    assert got["pid"] != parent  # it ran in another process
    assert pending() is got  # asked twice: the same result, not a second run


def test_a_failure_in_the_child_is_raised_in_the_parent_with_its_traceback():
    def broken() -> int:
        raise ValueError("no such thing")

    with pytest.raises(RuntimeError, match="ValueError: no such thing"):
        with background(broken) as pending:
            pending()


def test_a_result_never_asked_for_leaves_no_child_behind():
    with background(lambda: 1):
        pass  # the block exits without waiting for the result
