"""TRL on CPU: a few GRPO steps of a tiny Qwen2 built here; the ledger equals flopcast's count."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
trl = pytest.importorskip("trl")
datasets = pytest.importorskip("datasets")
tokenizers = pytest.importorskip("tokenizers")

from flopcast.accounting.architecture import from_config  # noqa: E402
from flopcast.accounting.rl import Stage, step_flop  # noqa: E402
from flopcast.accounting.track.ledger import Ledger, read_ledger  # noqa: E402
from flopcast.accounting.track.summary import summarize_ledger  # noqa: E402
from flopcast.accounting.track.trl import LedgerCallback, track_grpo  # noqa: E402

pytestmark = pytest.mark.torch
TINY = "tests/data/configs/tiny-qwen2.json"
WORDS = ["<pad>", "<eos>", "<unk>", *"abcdefghijklmnopqrstuvwxyz", "count", "the", "letters"]


def _tokenizer():
    vocab = {w: i for i, w in enumerate(WORDS)}
    tok = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>"
    )


def _model_dir(tmp_path, tokenizer):
    config = transformers.Qwen2Config(
        vocab_size=len(WORDS), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
        tie_word_embeddings=False, pad_token_id=0, eos_token_id=1, bos_token_id=1,
    )  # fmt: skip
    torch.manual_seed(0)
    model = transformers.Qwen2ForCausalLM(config)
    path = tmp_path / "tiny-qwen2"
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_grpo_steps_on_cpu_match_flopcast(tmp_path):
    tokenizer = _tokenizer()
    path = _model_dir(tmp_path, tokenizer)
    prompts = ["count the letters a b", "count a", "the letters x y z q", "b c"]
    seen: list[tuple[list[int], list[int]]] = []

    def reward(prompts, completions, completion_ids, **kw):
        p = [len(tokenizer(x)["input_ids"]) for x in prompts]
        seen.append((p, [len(c) for c in completion_ids]))  # the tokens TRL generated
        return [float(len(c)) for c in completion_ids]

    args = trl.GRPOConfig(
        output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, num_generations=4,
        max_completion_length=6, max_steps=2, beta=0.1, use_cpu=True, report_to=[],
        logging_steps=1, save_strategy="no", bf16=False, seed=0, disable_tqdm=True,
    )  # fmt: skip
    trainer = trl.GRPOTrainer(
        model=str(path),
        reward_funcs=reward,
        args=args,
        train_dataset=datasets.Dataset.from_dict({"prompt": prompts}),
        processing_class=tokenizer,
    )
    ledger = Ledger.open(tmp_path / "grpo.jsonl", model=path / "config.json", chip="H100")
    callback = track_grpo(trainer, ledger)
    trainer.train()
    ledger.close()

    assert callback.recorded == [0, 1]
    arch = from_config(path / "config.json")
    data = read_ledger(tmp_path / "grpo.jsonl")
    head = arch.head_flop_per_token  # 2 d V = 2 * 32 * 31
    for rec, (p, r) in zip(data.steps, seen, strict=True):
        p, r = np.asarray(p), np.asarray(r)
        plan = step_flop(arch, p, r, Stage("s", 1, 1, 1, 0, 0, shared_prefill=False))
        got = rec.counts.flop()
        assert got["generation_prefill"] == pytest.approx(plan["generation_prefill"])
        assert got["generation_decode"] == pytest.approx(plan["generation_decode"])
        # TRL keeps logits for the completion only: flopcast's count less 2 d V per prompt token
        assert got["reference"] == pytest.approx(plan["reference"] - head * p.sum())
        assert got["update"] == pytest.approx(plan["update"] - 3 * head * p.sum())
        assert got["old_logprob"] == 0  # generation and update aligned: TRL skips it
        labels = {s.label for s in rec.counts.spans}
        assert labels == {"generation_prefill+generation_decode", "reference", "update"}
    summary = summarize_ledger(data)
    assert summary["steps"] == 2 and summary["mfu"] > 0


def test_a_resumed_trainer_replays_its_step_instead_of_counting_it_twice(tmp_path):
    ledger = Ledger.open(tmp_path / "resume.jsonl", model=TINY, chip="H100")
    callback = LedgerCallback(ledger)
    for global_step in (1, 2, 2):  # the run resumes from the checkpoint of step 1
        callback.counts.count("update", [8])
        state = SimpleNamespace(global_step=global_step, is_world_process_zero=True)
        callback.on_step_end(None, state, None)
    ledger.close()
    data = read_ledger(tmp_path / "resume.jsonl")
    assert [s.step for s in data.steps] == [0, 1] and [s.step for s in data.replays] == [1]
