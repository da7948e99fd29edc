"""The seed's math server, as the seed wrote it but on FastMCP 4.x (the standalone `fastmcp`
package; `mcp.server.fastmcp` is gone from the official SDK 2.x). An interop peer for the
orchestrator tests; run with the python of .peers/venv-fastmcp (scripts/install-peers.sh fastmcp)."""

from fastmcp import FastMCP

mcp = FastMCP("Math Server")


@mcp.tool()
def add(a: int, b: int) -> int:
    return a + b


@mcp.tool()
def multiply(a: int, b: int) -> int:
    return a * b


if __name__ == "__main__":
    mcp.run(transport="stdio", show_banner=False)
