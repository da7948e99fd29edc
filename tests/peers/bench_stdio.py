"""Side-by-side stdio benchmark: the same Python SDK client drives each server command.

Usage: python bench_stdio.py CALLS ROUNDS NAME=COMMAND [NAME=COMMAND ...]

For each server and round (servers interleaved, so machine noise hits all alike): cold start
(spawn to tools/list answered) and sequential `add` calls per second. Prints one JSON object
with the median and min-max of each figure per server.
"""

import asyncio
import json
import shlex
import statistics
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def one_round(command, calls):
    parts = shlex.split(command)
    params = StdioServerParameters(command=parts[0], args=parts[1:])
    started = time.perf_counter()
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            await session.list_tools()
            cold_ms = (time.perf_counter() - started) * 1000
            began = time.perf_counter()
            for i in range(calls):
                result = await session.call_tool("add", {"a": i, "b": 1})
                if result.is_error:
                    raise RuntimeError(f"add failed: {result}")
            rate = calls / (time.perf_counter() - began)
    return cold_ms, rate


async def main():
    calls, rounds = int(sys.argv[1]), int(sys.argv[2])
    servers = dict(arg.split("=", 1) for arg in sys.argv[3:])
    samples = {name: {"cold_start_ms": [], "calls_per_s": []} for name in servers}
    for _ in range(rounds):
        for name, command in servers.items():
            cold, rate = await one_round(command, calls)
            samples[name]["cold_start_ms"].append(cold)
            samples[name]["calls_per_s"].append(rate)
    report = {
        name: {
            figure: {"median": round(statistics.median(values), 1), "min": round(min(values), 1), "max": round(max(values), 1)}
            for figure, values in figures.items()
        }
        for name, figures in samples.items()
    }
    print(json.dumps(report, indent=2))


asyncio.run(main())
