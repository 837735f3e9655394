#!/usr/bin/env bash
# The whole suite on Node.js 24, which CI runs after the machine's Node 20 (scripts/test-node.sh says how).
# Usage: scripts/test-node24.sh [extra vitest args]; NODE24_VERSION picks the exact release.
exec bash "$(dirname "$0")/test-node.sh" "${NODE24_VERSION:-24.22.3}" "$@"
