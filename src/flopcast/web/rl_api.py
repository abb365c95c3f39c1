"""The RL run calculator's endpoints (filled in once flopcast.rl lands)."""
from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    pass
