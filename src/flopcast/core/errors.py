"""The error hierarchy.

Every error flopcast raises on purpose is a :class:`FlopcastError`. The concrete classes also
subclass the builtin a Python user would expect (``ValueError``, ``KeyError``), as pint does,
so ``except ValueError`` keeps working. Messages are one sentence for a person: what was wrong,
where, and what is allowed. The CLI prints ``str(error)`` and exits 1; it never shows a
traceback for these.
"""

from __future__ import annotations


class FlopcastError(Exception):
    """Base class of every error flopcast raises on purpose."""


class InputError(FlopcastError, ValueError):
    """A value given by the user is out of range or malformed (negative hours, lo > hi, NaN)."""


class ExpressionError(InputError):
    """An expression could not be parsed or evaluated.

    ``text`` is the expression and ``position`` the 0-based offset of the bad token; ``str()``
    shows the expression with a caret under that token.
    """

    def __init__(self, message: str, text: str = "", position: int | None = None):
        self.message = message
        self.text = text
        self.position = position
        super().__init__(self._render())

    WINDOW = 60  # characters of a long expression shown either side of the caret

    def _render(self) -> str:
        if not self.text or self.position is None:
            return self.message
        text, pos = self.text, max(0, self.position)
        if len(text) > 2 * self.WINDOW:  # a window around the position, not the whole text
            start = max(0, pos - self.WINDOW)
            end = min(len(text), pos + self.WINDOW)
            head = "..." if start > 0 else ""
            text = head + text[start:end] + ("..." if end < len(self.text) else "")
            pos = pos - start + len(head)
        return f"{self.message}\n  {text}\n  {' ' * pos}^"


class UnknownNameError(FlopcastError, KeyError):
    """A name (chip, model id, function, scenario) is not known; ``suggestions`` lists close ones."""

    def __init__(self, kind: str, name: str, suggestions: list[str] | tuple[str, ...] = ()):
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)
        hint = (
            f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?"
            if self.suggestions
            else ""
        )
        self.message = f"unknown {kind} {name!r}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class DataError(FlopcastError, ValueError):
    """A data file (record, catalog, config, recipe, scenario, CSV) is invalid.

    ``path``, ``line`` and ``field`` say where, when known.
    """

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ):
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        if field:
            where += f"{field}: "
        super().__init__(where + message)


def yaml_error(exc: Exception, path: str | None, cls: type[DataError] | None = None) -> DataError:
    """One line for a PyYAML parse error: ``path:line: not valid YAML: <problem>``."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return (cls or DataError)(
        f"not valid YAML: {problem}", path, line=mark.line + 1 if mark is not None else None
    )


class ConfigError(DataError):
    """A model config.json or an RL recipe cannot be accounted (missing key, unsupported family)."""


class ScenarioError(DataError):
    """A forecast scenario is invalid (unknown key, negative growth, dates out of order)."""


class PlausibilityWarning(UserWarning):
    """A value is allowed but unlikely (an absurd magnitude, an implied utilisation above 0.7)."""
