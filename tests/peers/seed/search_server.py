"""The seed's search server, as the seed wrote it but on FastMCP 4.x (the standalone `fastmcp`
package; `mcp.server.fastmcp` is gone from the official SDK 2.x). An interop peer for the
orchestrator tests; run with the python of .peers/venv-fastmcp (scripts/install-peers.sh fastmcp)."""

from fastmcp import FastMCP

mcp = FastMCP("Search Server")


@mcp.tool()
def search(query: str) -> str:
    return f"Search results for '{query}'"


if __name__ == "__main__":
    mcp.run(transport="stdio", show_banner=False)
