"""The RL run calculator's endpoints: architecture + recipe fields -> FLOP per phase, chip-hours, cost.

``POST /api/rl`` either runs a shipped recipe (``recipe``: its stages, as published) or one stage
built from the fields of the form, through :func:`flopcast.accounting.rl.parse_recipe` -- the same
validation a recipe file gets. FLOP per phase come from :meth:`flopcast.accounting.rl.Recipe.run`, chip-hours
from :func:`flopcast.accounting.rl.chip_hours` at the given utilisation (default: the documented prior
``utilization.rl``), and cost from :func:`flopcast.accounting.rl.cost_usd` at the catalog's latest cited
rental price (or the user's ``usd_per_hour``); a chip with no cited price and no price given has
no cost (``null``).

Bounds keep one request small: counts, lengths and steps are checked on their 95th percentile
before the run, so an absurd recipe is a 422, not a long computation.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, cast

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field, StringConstraints

from flopcast.accounting import architecture as arch
from flopcast.accounting import rl
from flopcast.core import fmt, jsonio
from flopcast.estimate import chips, methods
from flopcast.estimate.functions import evaluate
from flopcast.web.schemas import STRICT
from flopcast.web.state import State

Expression = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+ -]{0,63}$")]

# Upper bounds on the 95th percentile of each field: far beyond any published run, small enough
# that a request cannot ask for nonsense (a trillion steps) that would still compute.
FIELD_BOUNDS: dict[str, tuple[float, str]] = {
    "steps": (1e7, "steps"),
    "prompts_per_step": (1e6, "prompts"),
    "samples_per_prompt": (1e4, "samples"),
    "prompt_length": (1e7, "tokens"),
    "response_length": (1e7, "tokens"),
    "epochs": (100, "epochs"),
}


class RlRequest(BaseModel):
    """A shipped recipe by name, or one stage of a recipe given field by field."""

    model_config = STRICT
    recipe: Name | None = Field(
        None, description="a shipped recipe; the stage fields are then ignored"
    )
    architecture: Name = Field("deepseek-v3", description="a shipped architecture config")
    algorithm: Name = "grpo"
    steps: Expression = "1000"
    prompts_per_step: Expression = "32"
    samples_per_prompt: Expression = "16"
    prompt_length: Expression = Field(
        "100 to 1000", description="tokens; a number or '100 to 1000'"
    )
    response_length: Expression = Field("2k to 8k", description="tokens; a number or '2k to 8k'")
    epochs: Expression = "1"
    reference: bool | None = Field(None, description="KL reference pass; default: the algorithm's")
    critic: bool | None = Field(None, description="PPO-style critic; default: the algorithm's")
    old_logprob_recompute: bool | None = None
    reward: Literal["verifier", "model"] = "verifier"
    chip: Name | None = Field(
        None, description="default: the recipe's published chip, else H100 SXM"
    )
    precision: Literal["fp32", "tf32", "bf16", "fp16", "fp8", "int8"] | None = Field(
        None, description="default: the recipe's published precision, else bf16"
    )
    utilization: Expression | None = Field(
        None, description="share of peak; default: prior utilization.rl"
    )
    usd_per_hour: float | None = Field(None, gt=0, le=1000, description="default: catalog price")


DEFAULT_CHIP = "H100"
DEFAULT_PRECISION = "bf16"


def register(app: FastAPI, state: State) -> None:
    @app.get("/api/rl/options", tags=["rl"])
    def rl_options() -> dict[str, Any]:
        """What the calculator accepts: architectures, algorithms, recipes, chips, form fields."""
        prior = methods.prior("utilization.rl")
        chip_names = [c.id for c in chips.catalog()]
        fields = [
            _field(
                "recipe",
                "Preset recipe",
                "",
                choices=["", *rl.list_recipes()],
                help="run a shipped recipe as published (its own stages); empty = the fields below",
            ),
            _field(
                "architecture", "Architecture", "deepseek-v3", choices=arch.list_architectures()
            ),
            _field("algorithm", "Algorithm", "grpo", choices=rl.algorithms()),
        ]
        for name, (bound, unit) in FIELD_BOUNDS.items():
            default = RlRequest.model_fields[name].default
            fields.append(
                _field(
                    name,
                    name.replace("_", " ").capitalize(),
                    default,
                    unit=unit,
                    help=f"a number or 'lo to hi' (90% interval); at most {fmt.number(bound)}",
                )
            )
        fields += [
            _field("reward", "Reward", "verifier", choices=["verifier", "model"]),
            _field("chip", "Chip", "h100-sxm", choices=chip_names),
            _field(
                "precision", "Precision", "bf16", choices=["bf16", "fp16", "fp8", "tf32", "fp32"]
            ),
            _field(
                "utilization",
                "Utilisation",
                _prior_text(prior),
                unit="of peak",
                help=f"default: prior utilization.rl ({prior})",
            ),
            _field(
                "usd_per_hour",
                "Price",
                "",
                unit="USD/chip-hour",
                type="number",
                help="empty: the catalog's latest cited price for the chip",
            ),
        ]
        return {
            "fields": fields,
            "recipes": rl.list_recipes(),
            "algorithms": rl.algorithms(),
            "architectures": arch.list_architectures(),
            "chips": chip_names,
            "presets": {name: preset(name) for name in rl.list_recipes()},
        }

    @app.post("/api/rl", tags=["rl"])
    async def rl_run(req: RlRequest) -> dict[str, Any]:
        """FLOP per phase of the run, its total, chip-hours at the utilisation, and cost."""
        key = ("rl", *(str(v) for v in req.model_dump().values()))
        return await state.compute(key, lambda: _run(req))


def preset(name: str) -> dict[str, Any]:
    """What the form takes from a shipped recipe: the run's published chip, precision and price.

    The price is the catalog's cited price for that chip (for DeepSeek's H800, the $2 per
    H800-hour of DeepSeek's Nature paper), so the calculator's chip-hours and cost sit beside
    the ones the run published (``published``: chip-hours and cost as the recipe cites them).
    """
    published = rl.load_recipe(name).published or {}
    chip_id = chips.lookup(published["chip"]).id if published.get("chip") else None
    price = chips.price_per_hour(chip_id) if chip_id else None
    return {
        "chip": chip_id,
        "precision": published.get("precision"),
        "usd_per_hour": price.usd_per_hour if price else None,
        "price_source": price.source if price else None,
        "published": {
            k: published[k]
            for k in ("chip_hours", "cost_usd")
            if isinstance(published.get(k), dict)
        },
    }


def _run(req: RlRequest) -> dict[str, Any]:
    if req.recipe:
        _check_choice("recipe", req.recipe, rl.list_recipes())
        recipe = rl.load_recipe(req.recipe)
    else:
        _check_choice("architecture", req.architecture, arch.list_architectures())
        _check_choice("algorithm", req.algorithm, rl.algorithms())
        stage: dict[str, Any] = {"name": "run", "reward": req.reward}
        for name, (bound, unit) in FIELD_BOUNDS.items():
            text = getattr(req, name)
            _check_bound(name, text, bound, unit)
            stage[name] = text
        for flag in ("reference", "critic", "old_logprob_recompute"):
            if getattr(req, flag) is not None:
                stage[flag] = getattr(req, flag)
        recipe = rl.parse_recipe(
            {
                "name": "dashboard",
                "architecture": req.architecture,
                "algorithm": req.algorithm,
                "stages": [stage],
            }
        )
    result = recipe.run()
    out = result.to_dict()
    total = out["total"]["median"]
    phases = [
        {
            "phase": ph,
            "flop": s["median"],
            "lo": s["lo"],
            "hi": s["hi"],
            "share": s["median"] / total if total else 0.0,
        }
        for ph, s in out["phases"].items()
    ]

    published = (recipe.published or {}) if req.recipe else {}
    chip = chips.lookup(req.chip or published.get("chip") or DEFAULT_CHIP)
    precision = req.precision or published.get("precision") or DEFAULT_PRECISION
    util = evaluate(req.utilization) if req.utilization else methods.prior("utilization.rl")
    u_med = _median(util)
    if not 0 < u_med <= 1:
        raise HTTPException(
            422,
            detail=[
                {
                    "loc": ["body", "utilization"],
                    "type": "value_error",
                    "msg": f"utilisation is a share of peak in (0, 1], got a median of {fmt.number(u_med)}",
                }
            ],
        )
    hours = rl.chip_hours(result.total, chip.id, util, precision=precision)
    price = chips.price_per_hour(chip.id)
    usd_per_hour = (
        req.usd_per_hour
        if req.usd_per_hour is not None
        else (price.usd_per_hour if price else None)
    )
    cost = (
        rl.cost_usd(result.total, chip.id, util, usd_per_hour=usd_per_hour, precision=precision)
        if usd_per_hour is not None
        else None
    )
    return jsonio.clean(
        {
            "recipe": out["recipe"],
            "architecture": out["architecture"],
            "algorithm": out["algorithm"],
            "phases": phases,
            "total": out["total"],
            "total_flop": total,
            "stages": out["stages"],
            "sources": out.get("sources", {}),
            "chip": chip.id,
            "precision": precision,
            "peak_flop_per_s": chips.peak_flop_per_s(chip.id, precision),
            "utilization": rl.summarize(util),
            "utilization_median": u_med,
            "chip_hours": rl.summarize(hours),
            "usd_per_hour": usd_per_hour,
            "price_source": (
                {"source": price.source, "date": price.date.isoformat()}
                if price and req.usd_per_hour is None
                else {"source": "given"}
            ),
            "cost_usd": rl.summarize(cost) if cost is not None else None,
            "published": {
                k: published[k]
                for k in ("chip", "precision", "chip_hours", "cost_usd")
                if k in published
            },
            "notes": [
                f"chip-hours = FLOP / ({chip.id} {precision} peak x utilisation x 3600 s)",
                "cost = chip-hours x price per chip-hour"
                + (
                    f" ({price.source}, {price.date})" if price and req.usd_per_hour is None else ""
                ),
            ],
        }
    )


def _check_bound(name: str, text: str, bound: float, unit: str) -> None:
    q = evaluate(text)
    p95 = float(q.percentile(95)) if hasattr(q, "percentile") else float(cast(float, q))
    if not math.isfinite(p95) or p95 > bound:
        raise HTTPException(
            422,
            detail=[
                {
                    "loc": ["body", name],
                    "type": "value_error",
                    "msg": f"{name} {text!r} reaches {fmt.number(p95)} {unit} at its 95th "
                    f"percentile; at most {fmt.number(bound)} is allowed",
                }
            ],
        )


def _check_choice(name: str, value: str, allowed: list[str]) -> None:
    if value.lower() not in [a.lower() for a in allowed]:
        raise HTTPException(
            422,
            detail=[
                {
                    "loc": ["body", name],
                    "type": "value_error",
                    "msg": f"unknown {name} {value!r}; allowed: {', '.join(allowed)}",
                }
            ],
        )


def _field(
    name: str,
    label: str,
    default: Any,
    *,
    unit: str = "",
    choices: list[str] | None = None,
    help: str = "",
    type: str = "text",
) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "default": default,
        "unit": unit,
        "choices": choices,
        "help": help,
        "type": type,
    }


def _median(q: Any) -> float:
    return float(q.median()) if hasattr(q, "median") else float(q)


def _prior_text(prior: Any) -> str:
    lo, hi = prior.interval(0.9)
    return fmt.interval(lo, hi, sep=" to ")
