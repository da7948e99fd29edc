"""Side-by-side filesystem benchmark: the same Python SDK client drives fs-server and the npm
reference server (@modelcontextprotocol/server-filesystem) on the same tree.

Usage: python bench_fs.py TREE CALLS ROUNDS fs-server=COMMAND reference=COMMAND

TREE is filled with the test tree first if it is empty: 100 leaf directories (10 x 10, two
levels) of 100 small files each, 10,000 in all, half `*.txt` and half `*.md`, plus a ~1 MB
`big.log`. Both COMMANDs must allow TREE; the name before `=` picks the argument dialect.
For each round (servers interleaved, so machine noise hits all alike): cold start (spawn to
tools/list answered), then sequential calls of each operation (CALLS of search_files `*.txt`
and directory_tree over the whole tree, 4 x CALLS reads of big.log, 40 x CALLS of a small
file), giving per operation the median latency (`_ms`), the calls per second (`_per_s`), the
median time the SDK spends checking structuredContent against the tool's outputSchema
(`_validate_ms`) and the median latency without that check (`_net_ms`). Prints one JSON object
with the median and min-max over rounds of each figure, and what each server returned (counts,
truncation) per operation, to show both did the same work.
"""

import asyncio
import json
import os
import shlex
import statistics
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

LINE = "the quick brown fox jumps over the lazy dog, line %06d of a small benchmark text file\n"


def make_tree(root):
    for a in range(10):
        for b in range(10):
            leaf = os.path.join(root, f"d{a}", f"d{a}{b}")
            os.makedirs(leaf)
            for i in range(100):
                ext = "txt" if i % 2 == 0 else "md"
                with open(os.path.join(leaf, f"f{i:03}.{ext}"), "w") as out:
                    out.write("".join(LINE % n for n in range(5)))
    with open(os.path.join(root, "big.log"), "w") as out:
        out.write("".join(LINE % n for n in range((1 << 20) // len(LINE % 0) + 1)))


def operations(dialect, root):
    """(figure, calls per CALLS, tool, arguments) per operation, in each server's own names."""
    big, small = os.path.join(root, "big.log"), os.path.join(root, "d0", "d00", "f000.txt")
    if dialect == "fs-server":
        return [
            ("search_txt", 1, "search_files", {"path": root, "pattern": "*.txt", "max_results": 5000}),
            ("directory_tree", 1, "directory_tree", {"path": root, "max_depth": 32, "max_entries": 10000}),
            # max_bytes: read the whole file, as the reference does (the default window is 256 KiB).
            ("read_1mb", 4, "read_file", {"path": big, "max_bytes": 16777216}),
            ("read_small", 40, "read_file", {"path": small}),
        ]
    return [
        ("search_txt", 1, "search_files", {"path": root, "pattern": "**/*.txt"}),
        ("directory_tree", 1, "directory_tree", {"path": root}),
        ("read_1mb", 4, "read_text_file", {"path": big}),
        ("read_small", 40, "read_text_file", {"path": small}),
    ]


def count_nodes(nodes):
    return sum(1 + count_nodes(node.get("children") or []) for node in nodes)


def describe(dialect, figure, result):
    """What one answer held, to check that both servers did the same work."""
    if dialect == "fs-server":
        data = result.structured_content or {}
        if figure == "search_txt":
            return {"matches": len(data["matches"]), "truncated": data["truncated"], "limits_hit": data.get("limits_hit", [])}
        if figure == "directory_tree":
            return {"entries": data["entries"], "truncated": data["truncated"], "limits_hit": data.get("limits_hit", [])}
        return {"chars": len(data["content"]), "truncated": data["truncated"]}
    text = result.content[0].text
    if figure == "search_txt":
        return {"matches": 0 if text == "No matches found" else len(text.split("\n"))}
    if figure == "directory_tree":
        return {"entries": count_nodes(json.loads(text))}
    return {"chars": len(text)}


async def one_round(dialect, command, root, calls):
    parts = shlex.split(command)
    params = StdioServerParameters(command=parts[0], args=parts[1:])
    figures, seen = {}, {}
    started = time.perf_counter()
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            await session.list_tools()
            figures["cold_start_ms"] = (time.perf_counter() - started) * 1000
            # Time the SDK's own check of structuredContent against the tool's outputSchema
            # (pure-Python jsonschema): client work that grows with the answer's structure.
            validate, checks = session.validate_tool_result, []

            async def timed_validate(name, result):
                t0 = time.perf_counter()
                await validate(name, result)
                checks.append((time.perf_counter() - t0) * 1000)

            session.validate_tool_result = timed_validate
            for figure, weight, tool, arguments in operations(dialect, root):
                latencies, net, checks[:] = [], [], []
                began = time.perf_counter()
                for _ in range(calls * weight):
                    t0 = time.perf_counter()
                    result = await session.call_tool(tool, arguments)
                    latencies.append((time.perf_counter() - t0) * 1000)
                    if result.is_error:
                        raise RuntimeError(f"{dialect} {tool} {arguments} failed: {result.content}")
                    net.append(latencies[-1] - checks[-1])
                figures[f"{figure}_ms"] = statistics.median(latencies)
                figures[f"{figure}_per_s"] = calls * weight / (time.perf_counter() - began)
                figures[f"{figure}_validate_ms"] = statistics.median(checks)
                figures[f"{figure}_net_ms"] = statistics.median(net)
                seen[figure] = describe(dialect, figure, result)
    return figures, seen


async def main():
    root, calls, rounds = os.path.realpath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    servers = dict(arg.split("=", 1) for arg in sys.argv[4:])
    if set(servers) != {"fs-server", "reference"}:
        sys.exit("usage: bench_fs.py TREE CALLS ROUNDS fs-server=COMMAND reference=COMMAND")
    if not os.listdir(root):
        make_tree(root)
    samples = {name: {} for name in servers}
    results = {}
    for _ in range(rounds):
        for name, command in servers.items():
            figures, results[name] = await one_round(name, command, root, calls)
            for figure, value in figures.items():
                samples[name].setdefault(figure, []).append(value)
    report = {
        name: {
            **{
                figure: {"median": round(statistics.median(values), 2), "min": round(min(values), 2), "max": round(max(values), 2)}
                for figure, values in figures.items()
            },
            "returned": results[name],
        }
        for name, figures in samples.items()
    }
    print(json.dumps(report, indent=2))


asyncio.run(main())
