#!/usr/bin/env node
// Thin launcher: the compiled deploy agent lives in dist/ (built by `npm ci` through `prepare`).
import '../dist/agent/main.js';
