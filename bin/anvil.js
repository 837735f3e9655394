#!/usr/bin/env node
// Thin launcher: the compiled service CLI lives in dist/ (built by `npm ci` through `prepare`).
import '../dist/cli/anvil.js';
