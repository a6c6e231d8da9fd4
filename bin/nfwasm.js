#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build` and on `npm ci` via prepare).
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2)));
