"""Times hostile and very large inputs against a math-server binary, through the official
Python SDK client over stdio, one call after another on one session.

Usage: python probe_limits.py SERVER_BINARY

Prints each call's wall time (client round trip included) and its outcome: a result, or the
error code it was refused with. A measurement, not a test: tests assert the outcomes, never
the times.
"""

import asyncio
import json
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

CASES = [
 ("evaluate", {"expression": "sin(10^99999)"}),
 ("evaluate", {"expression": "exp(10^99999)"}),
 ("evaluate", {"expression": "ln(10^99999)"}),
 ("evaluate", {"expression": "10^99999 / 7"}),
 ("evaluate", {"expression": "sqrt(10^99999)"}),
 ("evaluate", {"expression": "pi", "precision": 1000}),
 ("evaluate", {"expression": "sin(1)", "precision": 1000}),
 ("evaluate", {"expression": "2^(1/3)", "precision": 1000}),
 ("evaluate", {"expression": "(1/3)^100000"}),
 ("evaluate", {"expression": "1.0000001^1000000"}),
 ("evaluate", {"expression": "factorial(20000)"}),
 ("evaluate", {"expression": "10^99999 + 1/3"}),
 ("evaluate", {"expression": "gcd(10^99999, 10^99998)"}),
 ("evaluate", {"expression": "round(10^99999/3, 99999)"}),
 ("evaluate", {"expression": "1e99999 ^ 0.5"}),
 ("evaluate", {"expression": "tan(1e-99999)"}),
 ("evaluate", {"expression": "2^0.5^2"}),
 ("evaluate", {"expression": "+".join(["1"]*4999)}),
 ("number_theory", {"operation": "fibonacci", "values": [400000]}),
 ("number_theory", {"operation": "factorize", "values": ["340282366920938463463374607431768211297"]}),
 ("number_theory", {"operation": "factorize", "values": ["170141183460469231731687303715884105727"]}),
 ("number_theory", {"operation": "factorize", "values": ["85070591730234615847396907784232501249"]}),
 ("number_theory", {"operation": "next_prime", "values": ["1" + "0"*300]}),
 ("number_theory", {"operation": "is_prime", "values": ["1" + "0"*1200 + "7"]}),
 ("number_theory", {"operation": "binomial", "values": [400000, 200000]}),
 ("number_theory", {"operation": "mod_pow", "values": ["3", "9"*9999, "1" + "0"*9000]}),
 ("statistics", {"data": [i/7 for i in range(100000)]}),
 ("statistics", {"data": [str(i) + ".123456789" for i in range(100000)], "y": [i for i in range(100000)]}),
 ("convert_units", {"value": "1e99999", "from": "ly", "to": "nm"}),
]

async def main():
    params = StdioServerParameters(command=sys.argv[1], args=["--log-level", "warn"])
    async with stdio_client(params) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            for tool, args in CASES:
                t = time.perf_counter()
                res = await s.call_tool(tool, args)
                dt = (time.perf_counter() - t) * 1000
                sc = res.structured_content or {}
                summary = sc.get("error", {}).get("code") if res.is_error else (str(sc)[:70])
                label = json.dumps(args)[:60]
                print(f"{dt:8.1f} ms  {tool:14} {label:62} -> {summary}")


asyncio.run(main())
