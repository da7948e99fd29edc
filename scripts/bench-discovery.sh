#!/usr/bin/env bash
# Side by side, in one run: how long the orchestrator and FastMCP's multi-server Client take to
# discover the same three stdio servers (spawn, initialize, list every tool). Release build.
#
#   scripts/bench-discovery.sh [ROUNDS]     (default: 10)
#
# The three servers are math-server under three ids until fs-server and search-server land.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-10}"
bash "$root/scripts/install-peers.sh" fastmcp
cargo build --release --quiet -p orchestrator -p math-server --manifest-path "$root/Cargo.toml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
math="$root/target/release/math-server"
cat > "$work/servers.json" <<JSON
{"mcpServers": {
  "math": {"command": "$math", "args": ["--log-level", "warn"]},
  "math-b": {"command": "$math", "args": ["--log-level", "warn"]},
  "math-c": {"command": "$math", "args": ["--log-level", "warn"]}
}}
JSON
python="$root/.peers/venv-fastmcp/bin/python"
FASTMCP_LOG_LEVEL=ERROR "$python" "$root/tests/peers/bench_discovery.py" "$rounds" "$root/target/release/orchestrator" "$work/servers.json" \
    | tee /dev/stderr | "$python" -c '
import json, sys
r = json.load(sys.stdin)
ours, theirs = r["orchestrator_discovery_ms"]["median"], r["fastmcp_discovery_ms"]["median"]
print("discovery of %d servers: orchestrator %.1f ms, FastMCP %.1f ms, ratio %.0fx" % (r["servers"], ours, theirs, theirs / ours))
'
