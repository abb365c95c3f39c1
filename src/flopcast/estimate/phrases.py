"""Evidence as people write it, rewritten into the expression language before parsing.

``"20k H100 for 90 days at 35% MFU"`` becomes
``hardware(H100, chips=20k, hours=(90 * 24), utilization=35%)``. Each rule is a regular
expression with a template, tried in order; text that matches no rule is left as it is, so an
ordinary expression passes through unchanged. The phrases (docs/phrases.md has each one run
by the tests):

* thousands separators: ``140,000`` -> ``140000`` (a comma followed by exactly three digits);
* a percentage range: ``30-40%`` -> ``(30% to 40%)`` (``35%`` itself is the parser's);
* chip time: ``140,000 H100-hours`` -> ``peak_flop(H100, 140000)`` (FLOP at 100% of peak;
  multiply by a utilisation) and ``... H100-hours at 35% MFU`` -> ``hardware(...)``;
* a cluster: ``N CHIP for T days|hours|weeks|months [at U MFU] [for RL]`` -> ``hardware(...)``
  (``for RL``, ``for pre-training``, ``for fine-tuning``, ``for inference``, ``for rollouts``
  pick the stage whose fitted prior is the default utilisation);
* money: ``$5M of H100 time [at $2/hour] [at U MFU]`` -> ``cost(...)``; a bare ``$5M`` -> ``(5M * usd)`` (US dollars);
* a multiple of a model: ``10x o1`` -> ``10 * @o1.total`` (``10x o1.rl`` for a field),
  resolved against a dataset by the caller.

When a text still does not parse, :func:`evaluate` adds the nearest phrase form that works.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from flopcast.core import expr as _expr
from flopcast.core.errors import ExpressionError
from flopcast.core.expr import Resolver
from flopcast.core.uncertain import Uncertain

# hours per unit of wall-clock time: arithmetic on the calendar (a Julian year, 365.25 days,
# as flopcast.core.expr's `year`; a month is a twelfth of it)
HOURS = {"hour": 1.0, "day": 24.0, "week": 168.0, "month": 730.5, "year": 8766.0}
_UNIT = r"(?P<unit>hours?|hrs?|h|days?|weeks?|months?|years?)"
_NUM = r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[kKMBGTP]?"
_UTIL = rf"(?P<util>{_NUM}%?(?:(?:\s+to\s+|-){_NUM}%?)?)"
_AT_UTIL = rf"(?:\s+at\s+{_UTIL}\s*(?:MFU|utili[sz]ation|of\s+peak)?)?"
_STAGE = r"(?:\s+(?:for|of|in)\s+(?P<stage>RL|pre-?training|fine-?tuning|inference|rollouts?))?"
STAGE_WORDS = {
    "rl": "rl",
    "pretraining": "pretraining",
    "pre-training": "pretraining",
    "finetuning": "finetune",
    "fine-tuning": "finetune",
    "inference": "inference",
    "rollout": "rollout",
    "rollouts": "rollout",
}
_CHIP = r"(?P<chip>[A-Za-z][A-Za-z0-9.]*\d[A-Za-z0-9.]*)"


@dataclass(frozen=True)
class Phrase:
    """One rewrite rule: its name, an example that works, the pattern and the rewrite."""

    name: str
    example: str
    pattern: re.Pattern[str]
    rewrite: Callable[[re.Match[str]], str]


def _stage(m: re.Match[str]) -> list[str]:
    word = m.group("stage")
    return [f"stage={STAGE_WORDS[word.lower()]}"] if word else []


def _hardware(m: re.Match[str], time: str) -> str:
    util = m.group("util")
    args = [m.group("chip"), time, *([f"utilization={util}"] if util else []), *_stage(m)]
    return f"hardware({', '.join(args)})"


def _cluster(m: re.Match[str]) -> str:
    unit = m.group("unit").lower().rstrip("s")
    factor = HOURS.get({"h": "hour", "hr": "hour"}.get(unit, unit), 1.0)
    hours = m.group("t") if factor == 1.0 else f"({m.group('t')} * {factor:g})"
    return _hardware(m, f"chips={m.group('n')}, hours={hours}")


def _chip_hours(m: re.Match[str]) -> str:
    if m.group("util") or m.group("stage"):
        return _hardware(m, f"chip_hours={m.group('n')}")
    return f"peak_flop({m.group('chip')}, {m.group('n')})"


def _with_field(ref: str) -> str:
    return ref if "." in ref else f"{ref}.total"  # a bare model: its total training compute


def _money(m: re.Match[str]) -> str:
    args = [m.group("usd"), m.group("chip")]
    if m.group("price"):
        args.append(f"usd_per_hour={m.group('price')}")
    if m.group("util"):
        args.append(f"utilization={m.group('util')}")
    return f"cost({', '.join([*args, *_stage(m)])})"


PHRASES: tuple[Phrase, ...] = (
    Phrase(
        "thousands separators",
        "140,000 * 3600",
        re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\d,])"),
        lambda m: m.group(0).replace(",", ""),
    ),
    Phrase(
        "money for chip time",
        "$5M of H100 time at $2/hour",
        re.compile(
            rf"\$(?P<usd>{_NUM})\s+(?:worth\s+)?of\s+{_CHIP}(?:[\s-]+(?:time|hours|GPU-hours))?"
            rf"(?:\s+at\s+\$(?P<price>{_NUM})\s*(?:/|per\s+)(?:[\w-]*hour|h))?{_AT_UTIL}{_STAGE}",
            re.I,
        ),
        _money,
    ),
    Phrase(
        "a cluster for a time",
        "20k H100 for 90 days at 35% MFU",
        re.compile(
            rf"(?P<n>{_NUM})\s+{_CHIP}(?:\s+(?:GPUs?|chips?|TPUs?|accelerators?))?"
            rf"\s+for\s+(?P<t>{_NUM})\s*{_UNIT}\b{_AT_UTIL}{_STAGE}",
            re.I,
        ),
        _cluster,
    ),
    Phrase(
        "chip-hours",
        "140,000 H100-hours * 20%",
        re.compile(rf"(?P<n>{_NUM})\s+{_CHIP}[\s-](?:GPU-)?hours\b{_AT_UTIL}{_STAGE}", re.I),
        _chip_hours,
    ),
    Phrase(
        "a multiple of a model",
        "10x o1.rl",
        re.compile(r"(?<![\w.])(?P<n>\d+(?:\.\d+)?)x\s+(?P<ref>[a-z][a-z0-9-]*(?:\.[a-z_]+)?)\b"),
        lambda m: f"{m.group('n')} * @{_with_field(m.group('ref'))}",
    ),
    Phrase(
        "percentage range",
        "30-40%",
        re.compile(rf"(?<![\w.])(?P<a>{_NUM})%?-(?P<b>{_NUM})%"),
        lambda m: f"({m.group('a')}% to {m.group('b')}%)",
    ),
    Phrase(
        "dollars",
        "$5M / price(H100) / hour",
        re.compile(rf"\$(?P<usd>{_NUM})"),
        lambda m: f"({m.group('usd')} * usd)",
    ),
)


def rewrite(text: str) -> str:
    """The text with every phrase rewritten into the expression language."""
    out = text
    for phrase in PHRASES:
        out = phrase.pattern.sub(phrase.rewrite, out)
    return out


def evaluate(text: str, resolve: Resolver | None = None) -> Uncertain:
    """Rewrite the phrases, then evaluate; a failure names the nearest phrase that works."""
    rewritten = rewrite(text)
    try:
        return _expr.evaluate(rewritten, resolve)
    except ExpressionError as exc:
        hint = nearest_form(text)
        shown = f" (read as: {rewritten})" if rewritten != text else ""
        tail = f"; nearest form that works: {hint!r}" if hint else ""
        raise ExpressionError(f"{exc.message}{shown}{tail}", exc.text, exc.position) from None


def nearest_form(text: str) -> str | None:
    """The example phrase closest to ``text`` (difflib's similarity ratio at least 0.5), or None
    when nothing is close (``0^-1`` is not a phrase gone wrong, so no phrase is suggested)."""
    examples = [p.example for p in PHRASES]
    best = difflib.get_close_matches(text, examples, n=1, cutoff=0.5)
    return best[0] if best else None
