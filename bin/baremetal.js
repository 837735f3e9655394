#!/usr/bin/env node
// Thin launcher: the compiled `baremetal` client lives in dist/ (built by `npm ci` through `prepare`).
import '../dist/cli/baremetal.js';
