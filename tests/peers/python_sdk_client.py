"""Drives an MCP server over stdio with the official Python SDK and prints what it saw as JSON.

Usage: python python_sdk_client.py SERVER_BINARY [ARGS...]

Two sessions: the low-level ClientSession (plain `initialize`, protocol 2025-11-25) and the
high-level Client (probes with `server/discover`, protocol 2026-07-28 when the server has it).
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def summarize_call(result):
    text = [block.text for block in result.content if getattr(block, "type", None) == "text"]
    return {
        "isError": bool(result.is_error),
        "structured": result.structured_content,
        "text": text,
    }


async def low_level(params):
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            add = await session.call_tool("add", {"a": 10**30, "b": 1})
            add_huge = await session.call_tool("add", {"a": 10**30 + 7, "b": 1})
            evaluate = await session.call_tool("evaluate", {"expression": "2^64 - 1"})
            failing = await session.call_tool("evaluate", {"expression": "1/0"})
            return {
                "server": init.server_info.name,
                "version": init.server_info.version,
                "protocol": init.protocol_version,
                "tools": sorted(tool.name for tool in tools.tools),
                "add": summarize_call(add),
                "add_huge": summarize_call(add_huge),
                "evaluate": summarize_call(evaluate),
                "failing": summarize_call(failing),
            }


async def high_level(params):
    from mcp import Client

    async with Client(params) as client:
        tools = await client.list_tools()
        evaluate = await client.call_tool("evaluate", {"expression": "0.1 + 0.2"})
        return {
            "tools": sorted(tool.name for tool in tools.tools),
            "evaluate": summarize_call(evaluate),
        }


async def main():
    params = StdioServerParameters(command=sys.argv[1], args=sys.argv[2:])
    report = {"low_level": await low_level(params)}
    try:
        report["high_level"] = await high_level(params)
    except Exception as error:  # reported, and judged by the Rust test
        report["high_level_error"] = f"{type(error).__name__}: {error}"
    print(json.dumps(report))


asyncio.run(main())
