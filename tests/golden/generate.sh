#!/usr/bin/env bash
# Regenerates the golden JSON outputs that tests/test_golden.py compares against.
# Run from the repository root after a change that is *meant* to move these numbers, and say
# why in the commit message. The layout change (issue 9) must leave them byte-identical.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tests/golden
flopcast forecast --json > "$out/forecast.json"
flopcast models --json > "$out/models.json"
flopcast models show deepseek-r1 --json > "$out/models-show-deepseek-r1.json"
flopcast rl deepseek-r1-zero --json > "$out/rl-deepseek-r1-zero.json"
flopcast flops deepseek-v3 --json > "$out/flops-deepseek-v3.json"
flopcast flops llama-3.1-405b --context 8192 --json > "$out/flops-llama-3.1-405b.json"
flopcast estimate "140k * hour * peak(H100, bf16) * (0.1 to 0.4)" --json > "$out/estimate-expr.json"
flopcast estimate hardware --chip H100 --chip-hours 140k --stage rl --json > "$out/estimate-hardware.json"
