#!/usr/bin/env bash
# Side by side, in one run: math-server (release) and the seed's Python math server, driven by
# the same official Python SDK client over stdio. Prints medians and ratios.
#
#   scripts/bench-seed.sh [CALLS] [ROUNDS]     (defaults: 2000 calls, 5 rounds)
#
# The Python client costs about as much per call as the seed server does, so the calls/s ratio
# understates the difference; the Rust load generator of the benchmarks issue measures servers alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
calls="${1:-2000}"
rounds="${2:-5}"
bash "$root/scripts/install-peers.sh" python-sdk
cargo build --release --quiet -p math-server --manifest-path "$root/Cargo.toml"
python="$root/.peers/venv-mcp/bin/python"
"$python" "$root/tests/peers/bench_stdio.py" "$calls" "$rounds" \
    "math-server=$root/target/release/math-server --log-level warn" \
    "seed=$python $root/tests/peers/seed_math_server.py" | tee /dev/stderr | "$python" -c '
import json, sys
report = json.load(sys.stdin)
ours, seed = report["math-server"], report["seed"]
cold = seed["cold_start_ms"]["median"] / ours["cold_start_ms"]["median"]
rate = ours["calls_per_s"]["median"] / seed["calls_per_s"]["median"]
print("cold start: seed / math-server = %.1fx" % cold)
print("calls/s:    math-server / seed = %.1fx" % rate)
'
