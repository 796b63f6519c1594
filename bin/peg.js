#!/usr/bin/env node
// Entry point of the `peg` command: runs the TypeScript CLI through tsx's CommonJS loader.
"use strict";
require("tsx/cjs");
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
