#!/usr/bin/env bash
# The benchmarks of BENCHMARKS.md, side by side in one run, with one command:
#
#   scripts/bench.sh [ROUNDS]     (default: 5; writes BENCHMARKS.md at the repository root)
#
# Installs the peers into the ignored .peers/ folder (the seed's FastMCP math server, npm
# server-everything), builds the release binaries (orchestrator, math-server, and the
# hand-written ceiling-server), then runs scripts/bench.py: every server driven by the same
# Rust client, `orchestrator bench`, in interleaved rounds. Needs python3 and node.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-5}"
bash "$root/scripts/install-peers.sh" fastmcp
bash "$root/scripts/install-peers.sh" everything
cargo build --release --quiet --manifest-path "$root/Cargo.toml" \
    -p orchestrator -p math-server -p tests --bin orchestrator --bin math-server --bin ceiling-server
# Wherever cargo put them (CARGO_TARGET_DIR and the like are honoured).
target="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
python3 "$root/scripts/bench.py" "$root" "$rounds" "$root/BENCHMARKS.md" "$target/release"
