"""Runs every benchmark of BENCHMARKS.md side by side, in interleaved rounds, with the same Rust
client (`orchestrator bench`), and writes BENCHMARKS.md. Started by scripts/bench.sh, which
installs the peers and builds the release binaries first; standard library only.

    python3 scripts/bench.py ROOT ROUNDS OUTPUT RELEASE_DIR
"""

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(sys.argv[1]).resolve()
ROUNDS = int(sys.argv[2])
OUTPUT = Path(sys.argv[3])
RELEASE = Path(sys.argv[4])
ORCHESTRATOR = str(RELEASE / "orchestrator")
MATH = str(RELEASE / "math-server")
CEILING = str(RELEASE / "ceiling-server")
SEED = [str(ROOT / ".peers/venv-fastmcp/bin/python"), str(ROOT / "tests/peers/seed/math_server.py")]
EVERYTHING = ["node", str(ROOT / ".peers/npm/node_modules/.bin/mcp-server-everything"), "stdio"]
ARGS = '{"a": 1, "b": 2}'
# How long one `orchestrator bench` may take before the run is declared stuck.
STEP_TIMEOUT = 600

work = Path(tempfile.mkdtemp(prefix="mcp-bench-"))
children = []


def log(text):
    print(text, file=sys.stderr, flush=True)


def config(name, servers):
    """Writes an mcpServers file and returns its path."""
    path = work / f"{name}.json"
    path.write_text(json.dumps({"mcpServers": servers}))
    return str(path)


def stdio(command):
    command = command if isinstance(command, list) else [command]
    return {"command": command[0], "args": command[1:]}


def unthrottled(server):
    """The server with as many calls in flight as the load generator makes (the orchestrator
    lets 16 through per server by default), so that routed and direct calls compare."""
    return {**server, "maxConcurrency": 64}


def listening(command):
    """Starts an HTTP server that logs `listening on URL` to stderr; returns its URL."""
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    children.append(child)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = child.stderr.readline()
        if not line:
            break
        found = re.search(r"listening on (\S+)", line)
        if found:
            # Keep draining its stderr so that it never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in child.stderr], daemon=True).start()
            return found.group(1)
    raise SystemExit(f"bench: {command[0]} did not start listening")


def bench(config_path, *arguments):
    """Runs `orchestrator --config CONFIG bench ARGUMENTS --json` and returns its JSON."""
    command = [ORCHESTRATOR, "--config", config_path, "bench", *arguments, "--json"]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=STEP_TIMEOUT)
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return json.loads(done.stdout)


def calls(config_path, tool, n, concurrency, direct=True):
    extra = ["--direct"] if direct else []
    report = bench(config_path, "calls", tool, ARGS, "-n", str(n), "-c", str(concurrency),
                   "--warmup", str(min(n, 500)), *extra)
    if report["errors"]:
        raise SystemExit(f"bench: {tool} had {report['errors']} errors: {report['first_error']}")
    return report


# Configurations. Every server is launched the way a user would.
configs = {
    "math": config("math", {"math": unthrottled(stdio([MATH, "--log-level", "warn"]))}),
    "ceiling": config("ceiling", {"ceiling": stdio(CEILING)}),
    "seed": config("seed", {"seed": stdio(SEED)}),
    "everything": config("everything", {"everything": stdio(EVERYTHING)}),
}
math_http_url = listening([MATH, "--transport", "http", "--bind", "127.0.0.1:0", "--log-level", "info"])
configs["math-http"] = config("math-http", {"math": unthrottled({"url": math_http_url})})
configs["gateway-stdio"] = config("gateway-stdio", {"gw": unthrottled(stdio(
    [ORCHESTRATOR, "--config", configs["math"], "serve"]))})
gateway_http_url = listening([ORCHESTRATOR, "--config", configs["math"], "--log-level", "info",
                              "serve", "--transport", "http", "--bind", "127.0.0.1:0"])
configs["gateway-http"] = config("gateway-http", {"gw": unthrottled({"url": gateway_http_url})})
configs["discovery-3"] = config("discovery-3", {f"math-{i}": stdio([MATH, "--log-level", "warn"]) for i in range(3)})
configs["discovery-30"] = config("discovery-30", {f"math-{i}": stdio([MATH, "--log-level", "warn"]) for i in range(30)})
startup_all = config("startup", {
    "math": stdio([MATH, "--log-level", "warn"]), "ceiling": stdio(CEILING),
    "seed": stdio(SEED), "everything": stdio(EVERYTHING)})

# Targets of the side-by-side table: (label, config, tool, calls sequential, calls concurrent).
SERVERS = [
    ("math-server", "math", "math__add", 5000, 20000),
    ("ceiling (hand-written sync Rust)", "ceiling", "ceiling__add", 5000, 20000),
    ("seed (FastMCP 4.1.2)", "seed", "seed__add", 600, 1500),
    ("server-everything get-sum", "everything", "everything__get-sum", 3000, 10000),
]

samples = {}


def record(key, value):
    samples.setdefault(key, []).append(value)


def round_once(number):
    log(f"bench: round {number} of {ROUNDS}")
    for label, name, tool, sequential, concurrent in SERVERS:
        for concurrency, n in ((1, sequential), (16, concurrent), (64, concurrent)):
            report = calls(configs[name], tool, n, concurrency)
            record((label, "calls/s", concurrency), report["calls_per_second"])
            if concurrency == 1:
                for percentile in ("p50_us", "p90_us", "p99_us", "max_us"):
                    record((label, percentile), report["latency"][percentile])
            if report["peak_rss_mib"] is not None:
                record((label, "rss"), report["peak_rss_mib"])
    for row in bench(startup_all, "startup", "--runs", "3"):
        label = {"math": SERVERS[0][0], "ceiling": SERVERS[1][0], "seed": SERVERS[2][0],
                 "everything": SERVERS[3][0]}[row["server"]]
        record((label, "startup"), row["median_ms"])
    # Routing and the gateway hop, over stdio and HTTP.
    for transport, name, gateway in (("stdio", "math", "gateway-stdio"), ("http", "math-http", "gateway-http")):
        for concurrency, n in ((1, 5000), (64, 20000)):
            direct = calls(configs[name], "math__add", n, concurrency)
            routed = calls(configs[name], "math__add", n, concurrency, direct=False)
            hop = calls(configs[gateway], "gw__math__add", n, concurrency)
            for path, report in (("direct", direct), ("routed", routed), ("gateway", hop)):
                record((transport, path, "calls/s", concurrency), report["calls_per_second"])
                record((transport, path, "p50", concurrency), report["latency"]["p50_us"])
    for size in (3, 30):
        row = bench(configs[f"discovery-{size}"], "discovery", "--runs", "3")[0]
        record(("discovery", size), row["median_ms"])


def median(key):
    return statistics.median(samples[key])


def spread(key, digits=0):
    values = samples[key]
    fmt = f"{{:,.{digits}f}}"
    middle = fmt.format(statistics.median(values))
    if len(values) == 1:
        return middle
    return f"{middle} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def ratio(numerator, denominator):
    if not denominator:
        return "–"
    value = numerator / denominator
    return f"1/{1 / value:,.0f}" if value < 0.1 else f"{value:,.2f}×"


def verdict(ok, text):
    return f"{'met' if ok else 'missed'}: {text}"


def report():
    math, ceiling, seed, everything = (label for label, *_ in SERVERS)
    lines = []
    add = lines.append
    add("# Benchmarks")
    add("")
    add(f"Written by `scripts/bench.sh` ({ROUNDS} interleaved rounds) on {time.strftime('%Y-%m-%d')}, "
        f"{platform.machine()} with {os.cpu_count()} cores ({platform.platform()}). Every figure is the "
        "median of the rounds, with the smallest and largest in parentheses; comparisons are ratios "
        "of medians from the same run. One Rust client drives every server: `orchestrator bench`, "
        "which keeps one MCP session per server and calls `add` with `{\"a\": 1, \"b\": 2}` "
        "(server-everything's `get-sum`), after a warm-up. A ratio below 1 means math-server has less of it "
        "(faster starts, less memory, lower latency; fewer calls/s). *Direct* calls go straight to the "
        "server's connection; *routed* calls go through the orchestrator's toolbox (registry, "
        "permits, timeouts); *gateway* calls go to `orchestrator serve` fronting the same server. The "
        "configurations let 64 calls in flight per server (`maxConcurrency`; the default is 16).")
    add("")
    add("## Servers side by side (stdio)")
    add("")
    add(f"| | {math} | {ceiling} | {seed} | {everything} | math ÷ ceiling | math ÷ seed |")
    add("|---|---|---|---|---|---|---|")

    def row(name, key_of, digits=0, higher_is_better=True):
        cells = [spread(key_of(label), digits) for label in (math, ceiling, seed, everything)]
        m, c, s = (median(key_of(label)) for label in (math, ceiling, seed))
        add(f"| {name} | {' | '.join(cells)} | {ratio(m, c)} | {ratio(m, s)} |")

    row("cold start, spawn to tool list (ms)", lambda label: (label, "startup"), 1)
    row("calls/s, sequential", lambda label: (label, "calls/s", 1))
    row("calls/s, 16 in flight", lambda label: (label, "calls/s", 16))
    row("calls/s, 64 in flight", lambda label: (label, "calls/s", 64))
    for percentile, name in (("p50_us", "median"), ("p90_us", "p90"), ("p99_us", "p99"), ("max_us", "max")):
        row(f"sequential latency, {name} (µs)", lambda label, p=percentile: (label, p))
    row("peak RSS (MiB)", lambda label: (label, "rss"), 1)
    add("")
    add("## Routing, the gateway hop, stdio and Streamable HTTP (math-server)")
    add("")
    add("| transport | in flight | direct calls/s | routed calls/s | routed ÷ direct | gateway calls/s | gateway ÷ direct | direct p50 µs | routed p50 µs | gateway p50 µs | added by the gateway, p50 µs |")
    add("|---|---|---|---|---|---|---|---|---|---|---|")
    for transport in ("stdio", "http"):
        for concurrency in (1, 64):
            d, r, g = (median((transport, path, "calls/s", concurrency)) for path in ("direct", "routed", "gateway"))
            dp, rp, gp = (median((transport, path, "p50", concurrency)) for path in ("direct", "routed", "gateway"))
            add(f"| {transport} | {concurrency} | {spread((transport, 'direct', 'calls/s', concurrency))} | "
                f"{spread((transport, 'routed', 'calls/s', concurrency))} | {ratio(r, d)} | "
                f"{spread((transport, 'gateway', 'calls/s', concurrency))} | {ratio(g, d)} | "
                f"{dp:,.0f} | {rp:,.0f} | {gp:,.0f} | {gp - dp:+,.0f} |")
    add("")
    add("Over HTTP, the gateway row is a client speaking Streamable HTTP to `orchestrator serve "
        "--transport http`, which calls math-server over stdio; the direct row is the same client "
        "speaking Streamable HTTP to math-server itself.")
    add("")
    add("## Discovery")
    add("")
    add("| stdio servers | spawn, handshake and tool list of all, at once (ms) |")
    add("|---|---|")
    for size in (3, 30):
        add(f"| {size} | {spread(('discovery', size), 1)} |")
    add("")
    add("## Targets")
    add("")
    seq, ceil_seq = median((math, "calls/s", 1)), median((ceiling, "calls/s", 1))
    c64 = median((math, "calls/s", 64))
    start = median((math, "startup"))
    rss = median((math, "rss"))
    http_seq, http_c64 = median(("http", "direct", "calls/s", 1)), median(("http", "direct", "calls/s", 64))
    routed = median(("stdio", "routed", "calls/s", 1)) / median(("stdio", "direct", "calls/s", 1))
    hop = median(("stdio", "gateway", "p50", 1)) - median(("stdio", "direct", "p50", 1))
    hop_c64 = median(("stdio", "gateway", "calls/s", 64))
    discovery = median(("discovery", 30))
    targets = [
        (seq >= 0.9 * ceil_seq, f"math-server sequential within 10% of the ceiling: {seq:,.0f} vs {ceil_seq:,.0f} calls/s ({seq / ceil_seq:.0%})"),
        (c64 >= 50_000, f"math-server at least 50,000 calls/s with 64 in flight: {c64:,.0f}"),
        (start <= 5, f"math-server spawn to tool list within 5 ms: {start:.1f} ms"),
        (rss < 8, f"math-server peak RSS under 8 MB: {rss:.1f} MiB"),
        (http_seq >= 4_000, f"math-server over Streamable HTTP at least 4,000 sequential calls/s: {http_seq:,.0f}"),
        (http_c64 >= 20_000, f"math-server over Streamable HTTP at least 20,000 concurrent calls/s: {http_c64:,.0f}"),
        (routed >= 0.85, f"routing keeps at least 85% of direct sequential throughput: {routed:.0%}"),
        (hop <= 150, f"a gateway hop adds at most 150 µs at the median: {hop:+,.0f} µs"),
        (hop_c64 >= 25_000, f"the gateway keeps at least 25,000 calls/s with 64 in flight: {hop_c64:,.0f}"),
        (discovery <= 300, f"discovery of 30 stdio servers within 300 ms: {discovery:,.1f} ms"),
    ]
    for ok, text in targets:
        add(f"- {verdict(ok, text)}")
    add("")
    return "\n".join(lines)


try:
    for number in range(1, ROUNDS + 1):
        round_once(number)
    text = report()
    notes = ROOT / "scripts" / "bench-notes.md"
    if notes.exists():
        text += "\n" + notes.read_text()
    OUTPUT.write_text(text)
    print(text)
finally:
    for child in children:
        child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
