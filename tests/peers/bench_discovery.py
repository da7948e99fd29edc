"""Discovery side by side: the orchestrator and FastMCP's multi-server Client connect to the
same stdio servers and list all their tools. Prints JSON with medians (and min/max) per client.

    bench_discovery.py ROUNDS ORCHESTRATOR CONFIG_JSON

Run by scripts/bench-discovery.sh with the FastMCP venv's Python. The orchestrator's figure is
its own `settled_ms` (spawn of every server to the last tool list, from `doctor --json`); the
FastMCP figure is the same span inside this process: entering `Client(config)` (which spawns and
initializes every server) until `list_tools()` returns.
"""

import asyncio
import json
import statistics
import subprocess
import sys
import time

from fastmcp import Client


def summary(samples):
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


def orchestrator_round(orchestrator, config_path):
    started = time.perf_counter()
    out = subprocess.run(
        [orchestrator, "--config", config_path, "doctor", "--json"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
    )
    wall = (time.perf_counter() - started) * 1e3
    report = json.loads(out.stdout)
    if out.returncode != 0:
        raise SystemExit(f"orchestrator doctor failed: {out.stderr}")
    return report["settled_ms"], wall, report["tools"]


async def fastmcp_round(config):
    started = time.perf_counter()
    async with Client(config) as client:
        tools = await client.list_tools()
        elapsed = (time.perf_counter() - started) * 1e3
    return elapsed, len(tools)


def main():
    rounds, orchestrator, config_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    with open(config_path) as f:
        config = json.load(f)
    ours, ours_wall, theirs = [], [], []
    tools = {}
    for _ in range(rounds):
        settled, wall, count = orchestrator_round(orchestrator, config_path)
        ours.append(settled)
        ours_wall.append(wall)
        tools["orchestrator"] = count
        elapsed, count = asyncio.run(fastmcp_round(config))
        theirs.append(elapsed)
        tools["fastmcp"] = count
    print(json.dumps({
        "servers": len(config["mcpServers"]),
        "tools": tools,
        "orchestrator_discovery_ms": summary(ours),
        "orchestrator_whole_command_ms": summary(ours_wall),
        "fastmcp_discovery_ms": summary(theirs),
    }, indent=2))


main()
