#!/usr/bin/env node
// Entry point of the `peg` command: Node runs the TypeScript CLI through tsx's CommonJS loader;
// Bun runs TypeScript itself (`bun bin/peg.js ...`). Deno runs the bundle of bin/bundle.js.
"use strict";
if (!process.versions.bun) require("tsx/cjs");
const { main } = require("../src/cli/main.ts");
main(process.argv).then(
  code => {
    process.exitCode = code;
  },
  err => {
    process.stderr.write(`peg: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
