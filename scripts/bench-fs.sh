#!/usr/bin/env bash
# Side by side, in one run: fs-server (release) and the npm reference filesystem server
# (@modelcontextprotocol/server-filesystem), driven by the same official Python SDK client over
# stdio on the same temporary tree of 10,000 files. Prints the figures and, per operation, the
# ratio reference time / fs-server time (above 1: fs-server is faster).
#
#   scripts/bench-fs.sh [CALLS] [ROUNDS]     (defaults: 5 calls, 5 rounds; about two minutes)
#
# The Python SDK checks each structuredContent against the tool's outputSchema; for fs-server's
# structured answers of thousands of entries that check costs more than the server does, so
# the ratios are also given without it ("net").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
calls="${1:-5}"
rounds="${2:-5}"
bash "$root/scripts/install-peers.sh" python-sdk
bash "$root/scripts/install-peers.sh" filesystem
cargo build --release --quiet -p fs-server --manifest-path "$root/Cargo.toml"
tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
python="$root/.peers/venv-mcp/bin/python"
"$python" "$root/tests/peers/bench_fs.py" "$tree" "$calls" "$rounds" \
    "fs-server=$root/target/release/fs-server $tree --log-level warn" \
    "reference=node $root/.peers/npm-filesystem/node_modules/.bin/mcp-server-filesystem $tree" \
    2> >(grep -v -e '^Secure MCP Filesystem Server running on stdio$' -e '^Client does not support MCP Roots' >&2) |
    tee /dev/stderr | "$python" -c '
import json, sys
report = json.load(sys.stdin)
ours, ref = report["fs-server"], report["reference"]
print("reference / fs-server (median latency; net = without the SDK outputSchema check):")
print("  %-15s %6.1fx" % ("cold start", ref["cold_start_ms"]["median"] / ours["cold_start_ms"]["median"]))
for op in ("search_txt", "directory_tree", "read_1mb", "read_small"):
    total = ref[op + "_ms"]["median"] / ours[op + "_ms"]["median"]
    net = ref[op + "_net_ms"]["median"] / ours[op + "_net_ms"]["median"]
    print("  %-15s %6.1fx   net %6.1fx" % (op, total, net))
for op, seen in ours["returned"].items():
    theirs = ref["returned"][op]
    if seen.get("truncated") or any(seen[key] != theirs[key] for key in theirs):
        print("  note: %s: fs-server returned %s, reference %s" % (op, seen, theirs))
'
