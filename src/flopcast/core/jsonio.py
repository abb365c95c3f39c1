"""The one JSON cleaner: what the CLI prints, the API returns and the report stores.

JSON has no NaN or infinity, so they become ``null`` (e.g. a draw that never meets the cap);
numpy scalars and arrays become Python numbers and lists, dates ISO text, pydantic models
their JSON dump, and dict keys strings.
"""

from __future__ import annotations

import json
import math
from typing import Any


def clean(obj: Any) -> Any:
    """``obj`` made JSON-safe, recursively (NaN/inf -> None)."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        # NB: a list of floats with a finite sum (so none is NaN or inf: the bands, thousands of
        # numbers) is copied in one pass
        if all(type(v) is float for v in obj) and math.isfinite(sum(obj)):
            return list(obj)
        return [clean(v) for v in obj]
    if hasattr(obj, "tolist"):  # numpy scalars and arrays
        return clean(obj.tolist())
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "model_dump"):
        return clean(obj.model_dump(mode="json"))
    return obj


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    """One JSON document (strict: no NaN) of ``clean(obj)``."""
    return json.dumps(clean(obj), indent=indent, allow_nan=False, default=_refuse)


def _refuse(obj: Any) -> Any:
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
