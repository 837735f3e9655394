#!/usr/bin/env bash
# The whole suite on Node.js 22 LTS. Not part of CI (a third pass of the suite would not fit CI's time beside
# Node 20 and Node 24); run it by hand before a release: bash scripts/test-node22.sh [vitest args, e.g. a folder].
# NODE22_VERSION picks the exact release.
exec bash "$(dirname "$0")/test-node.sh" "${NODE22_VERSION:-22.23.5}" "$@"
