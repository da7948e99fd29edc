"""The seed's math server (the concept this project replaces), on the official Python SDK 2.x,
where FastMCP is named MCPServer. Used only as the baseline in scripts/bench-seed.sh."""

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("Math")


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two numbers"""
    return a + b


@mcp.tool()
def multiply(a: int, b: int) -> int:
    """Multiply two numbers"""
    return a * b


if __name__ == "__main__":
    mcp.run()
