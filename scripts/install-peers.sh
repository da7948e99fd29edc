#!/usr/bin/env bash
# Installs third-party MCP peers that the interop tests drive, into the ignored .peers/ folder.
#
#   scripts/install-peers.sh python-sdk   the official Python SDK (PyPI `mcp`) in .peers/venv-mcp
#
# Idempotent: an installed peer is left alone. Exits non-zero, saying why, if an install fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="$root/.peers"
mkdir -p "$peers"

# The versions the interop tests were written against.
MCP_PYTHON_VERSION="2.3.0"

install_python_sdk() {
    local venv="$peers/venv-mcp"
    if "$venv/bin/python" -c "import mcp" 2>/dev/null; then
        return 0
    fi
    local python
    python="$(command -v python3 || true)"
    if [[ -z "$python" ]]; then
        echo "install-peers: python3 is not installed; the Python SDK interop test needs it" >&2
        return 1
    fi
    echo "install-peers: installing mcp==$MCP_PYTHON_VERSION into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "mcp==$MCP_PYTHON_VERSION"
    "$venv/bin/python" -c "import mcp" 
}

case "${1:-all}" in
    python-sdk) install_python_sdk ;;
    all) install_python_sdk ;;
    *) echo "usage: $0 [python-sdk|all]" >&2; exit 2 ;;
esac
