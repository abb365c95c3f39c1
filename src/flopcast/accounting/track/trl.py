"""TRL: a ``TrainerCallback`` that keeps the ledger of a ``GRPOTrainer`` run.

A callback sees the trainer's state, not its batches, so :meth:`LedgerCallback.attach` also
wraps three of the trainer's methods to read the tokens it actually ran (trl 1.16):

- ``_generate_and_score_completions`` returns ``prompt_mask`` and ``completion_mask``: the
  prompt length ``P`` and completion length ``R`` of every sequence. They are counted as a
  rollout (one prefill per sequence: Hugging Face ``generate`` and TRL repeat each prompt per
  completion), an old-log-prob forward when the output carries ``old_per_token_logps``, and a
  reference forward when it carries ``ref_per_token_logps``;
- ``compute_loss`` (called once per micro-batch in training): the update, forward + backward;
- ``_generate`` (inside the first): its time is the rollout's time.

The log-prob forwards keep logits for the completion only (``logits_to_keep``), so the head is
counted on ``R`` tokens, not ``P + R`` as :func:`flopcast.accounting.rl.step_flop` assumes
(the difference is ``2 d V P`` per sequence and pass). Padding is not counted: model FLOP.
Times (GPU-synchronised): the rollout span is ``_generate``; the log-prob span is the rest of
``_generate_and_score_completions`` (it includes the reward functions); the update span is
``training_step`` minus the generation inside it. On ``on_step_end`` the step's counters are
all-reduced over the ranks when ``torch.distributed`` is initialised and rank 0 records them
at index ``global_step - 1``, so a run resumed from a checkpoint replays, not double counts.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

# This module is the TRL integration (the `loop` extra); nothing else in flopcast imports it.
from transformers import TrainerCallback

from flopcast.accounting.track.counts import Model, StepCounts
from flopcast.accounting.track.distributed import all_reduce
from flopcast.accounting.track.ledger import Ledger
from flopcast.accounting.track.timing import timer
from flopcast.core.errors import InputError

__all__ = ["LedgerCallback", "track_grpo"]


class LedgerCallback(TrainerCallback):  # type: ignore[misc]
    """Counts a GRPOTrainer's tokens per optimizer step into ``ledger``.

    ``ledger`` may be None on ranks other than 0 (give ``model`` there); ``gpus`` is the GPUs
    of this process (1 per rank under accelerate / torchrun).
    """

    def __init__(self, ledger: Ledger | None, *, model: Any = None, gpus: int = 1) -> None:
        if ledger is None and model is None:
            raise InputError("LedgerCallback needs a ledger (rank 0) or a model (other ranks)")
        self.ledger = ledger
        self.model = ledger.model if ledger is not None else Model.of(model)
        self.gpus = gpus
        self.counts = StepCounts(self.model)
        self.recorded: list[int] = []
        self._generation_s = 0.0  # generation time inside the current training_step
        self._rollout_s = 0.0  # time of the last _generate call

    # ---- wiring ----
    def attach(self, trainer: Any) -> LedgerCallback:
        """Wrap the trainer's methods and register this callback; returns self."""
        for name in (
            "_generate_and_score_completions",
            "_generate",
            "compute_loss",
            "training_step",
        ):
            if not callable(getattr(trainer, name, None)):
                raise InputError(
                    f"{type(trainer).__name__} has no {name}(); LedgerCallback follows "
                    "trl 1.16's GRPOTrainer"
                )
        trainer._generate_and_score_completions = self._wrap_score(
            trainer, trainer._generate_and_score_completions
        )
        trainer._generate = self._wrap_generate(trainer._generate)
        trainer.compute_loss = self._wrap_loss(trainer, trainer.compute_loss)
        trainer.training_step = self._wrap_training_step(trainer.training_step)
        trainer.add_callback(self)
        return self

    # ---- TrainerCallback events ----
    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        counts, self.counts = self.counts, StepCounts(self.model)
        if _distributed():
            counts = all_reduce(counts)
        if self.ledger is not None and state.is_world_process_zero:
            index = int(state.global_step) - 1
            self.ledger.record(index, counts)
            self.recorded.append(index)

    # ---- wrappers ----
    def _wrap_generate(self, fn: Any) -> Any:
        @functools.wraps(fn)
        def generate(*a: Any, **kw: Any) -> Any:
            with timer() as t:
                out = fn(*a, **kw)
            self._rollout_s = t[0]
            return out

        return generate

    def _wrap_score(self, trainer: Any, fn: Any) -> Any:
        @functools.wraps(fn)
        def score(*a: Any, **kw: Any) -> Any:
            self._rollout_s = 0.0
            with timer() as t:
                out = fn(*a, **kw)
            self._generation_s += t[0]
            if not trainer.model.training:  # evaluation is not part of the run's steps
                return out
            p, r = _lengths(out)
            self.counts.rollout(p, r)
            self.counts.add_time(
                ("generation_prefill", "generation_decode"), self._rollout_s, self.gpus
            )
            logprob_phases = []
            if out.get("old_per_token_logps") is not None:
                self.counts.count("old_logprob", p + r, head_tokens=r)
                logprob_phases.append("old_logprob")
            if out.get("ref_per_token_logps") is not None:
                self.counts.count("reference", p + r, head_tokens=r)
                logprob_phases.append("reference")
            if logprob_phases:
                self.counts.add_time(tuple(logprob_phases), t[0] - self._rollout_s, self.gpus)
            return out

        return score

    def _wrap_loss(self, trainer: Any, fn: Any) -> Any:
        @functools.wraps(fn)
        def compute_loss(model: Any, inputs: Any, *a: Any, **kw: Any) -> Any:
            if trainer.model.training:
                p, r = _lengths(inputs)
                self.counts.count("update", p + r, head_tokens=r)
            return fn(model, inputs, *a, **kw)

        return compute_loss

    def _wrap_training_step(self, fn: Any) -> Any:
        @functools.wraps(fn)
        def training_step(*a: Any, **kw: Any) -> Any:
            self._generation_s = 0.0
            with timer() as t:
                out = fn(*a, **kw)
            self.counts.add_time("update", max(t[0] - self._generation_s, 0.0), self.gpus)
            return out

        return training_step


def track_grpo(trainer: Any, ledger: Ledger | None, **options: Any) -> LedgerCallback:
    """Attach a :class:`LedgerCallback` to ``trainer`` (a trl ``GRPOTrainer``)."""
    return LedgerCallback(ledger, **options).attach(trainer)


def _lengths(batch: Any) -> tuple[Any, Any]:
    """Per-sequence prompt and completion lengths from TRL's masks (numpy int64)."""
    try:
        p = batch["prompt_mask"].sum(dim=1).cpu().numpy()
        r = batch["completion_mask"].sum(dim=1).cpu().numpy()
    except (KeyError, TypeError, AttributeError):
        raise InputError("a GRPO batch needs prompt_mask and completion_mask tensors") from None
    return p, r


def _distributed() -> bool:
    torch = sys.modules.get("torch")  # TRL has imported it; no new import here
    return bool(
        torch is not None
        and torch.distributed.is_available()
        and torch.distributed.is_initialized()
        and torch.distributed.get_world_size() > 1
    )
