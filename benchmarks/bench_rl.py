"""Benchmark: accounting one RL step in Python vs measuring one step with FlopCounterMode.

Prints (1) the time to account one RL step from a 64-bucket prompt histogram and a 64-bucket
response histogram with :func:`flopcast.accounting.rl.step_flop`, for 1 and 1,000,000 sequences (it should
be the same: the cost does not depend on the number of sequences), and (2) on the same tiny
Llama model, the wall time of a forward+backward pass with and without
``torch.utils.flop_counter.FlopCounterMode``, as the counter's overhead ratio, beside the time
flopcast takes to give the same count. Run: ``python benchmarks/bench_rl.py`` (needs the torch extra).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from flopcast.accounting.architecture import Conventions, from_config
from flopcast.accounting.rl import Histogram, Stage, coefficients, step_flop

CONFIG = Path(__file__).resolve().parents[1] / "tests" / "data" / "configs" / "tiny-llama.json"


def _best(fn, repeat: int = 5, number: int = 200) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def main() -> None:
    arch = from_config("deepseek-v3")
    coef = coefficients(arch)
    prompts = Histogram.of(np.linspace(50, 2000, 64))
    responses = Histogram.of(np.linspace(100, 32_000, 64), np.linspace(3, 1, 64))
    for n_prompts in (1, 62_500):
        stage = Stage("bench", 1, n_prompts, 16, prompts, responses)
        t = _best(lambda stage=stage: step_flop(coef, prompts, responses, stage))
        print(
            f"step_flop, 64x64-bucket histograms, {n_prompts * 16:>9,} sequences: {t * 1e6:8.1f} us"
        )

    import torch
    import transformers
    from torch.utils.flop_counter import FlopCounterMode

    cfg = json.loads(CONFIG.read_text())
    kwargs = {k: v for k, v in cfg.items() if not k.startswith("_") and k != "model_type"}
    model = transformers.AutoModelForCausalLM.from_config(
        transformers.AutoConfig.for_model(cfg["model_type"], **kwargs), attn_implementation="eager"
    )
    tiny = from_config(CONFIG)
    ids = torch.randint(0, tiny.vocab_size, (8, 128), generator=torch.Generator().manual_seed(0))

    def plain() -> None:
        model(ids).logits.float().sum().backward()

    def counted() -> None:
        with FlopCounterMode(display=False):
            plain()

    t_plain, t_counted = _best(plain, 3, 5), _best(counted, 3, 5)
    t_analytic = _best(lambda: 8 * tiny.training_flop(128, Conventions(causal=False)), 5, 1000)
    print(
        f"tiny Llama fwd+bwd, batch 8 x 128: {t_plain * 1e3:.2f} ms plain, "
        f"{t_counted * 1e3:.2f} ms under FlopCounterMode "
        f"(overhead x{t_counted / t_plain:.2f}); flopcast's count of the same: {t_analytic * 1e6:.1f} us "
        f"({t_counted / t_analytic:,.0f}x faster than measuring)"
    )


if __name__ == "__main__":
    main()
