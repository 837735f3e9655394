#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs dependencies (npm and Debian packages), builds,
# then runs every test on both stores (SQLite and the PostgreSQL server on 127.0.0.1:5432) on the machine's
# Node 20, and without arguments the whole suite again on Node 24 (scripts/test-node.sh says how;
# scripts/test-node22.sh runs it on Node 22 by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
npx tsc -p tsconfig.json --noEmit
export DB_DIALECTS="${DB_DIALECTS:-sqlite,postgres}"
npx vitest run "$@"
if [ $# -eq 0 ]; then bash scripts/test-node24.sh; fi
