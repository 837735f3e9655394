#!/usr/bin/env bash
# The same subset on Node.js 22 LTS. Not part of CI (measured: 3 min of CPU, 6.7 min wall on the shared 2-core machine, compile of better-sqlite3 included: over the 3 min allowed); run it by
# hand before a release: bash scripts/test-node22.sh. NODE22_VERSION picks the exact release.
exec bash "$(dirname "$0")/test-node.sh" "${NODE22_VERSION:-22.23.5}" "$@"
