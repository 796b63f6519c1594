#!/usr/bin/env node
// Bundles the `peg` command into one CommonJS file (default dist/peg.cjs) for runtimes that do not
// run this project's TypeScript directly, such as Deno: `deno run -A dist/peg.cjs serve -f <dir>`.
// Usage: node bin/bundle.js [outfile]
"use strict";
const path = require("path");
const esbuild = require("esbuild");

const root = path.join(__dirname, "..");
const outfile = path.resolve(process.argv[2] || path.join(root, "dist", "peg.cjs"));
const entry = [
  'import { main } from "./src/cli/main";',
  "main(process.argv).then(",
  "  code => { process.exitCode = code; },",
  "  err => { process.stderr.write(`peg: ${err && err.stack ? err.stack : err}\\n`); process.exitCode = 2; },",
  ");",
].join("\n");

esbuild.buildSync({
  stdin: { contents: entry, resolveDir: root, loader: "ts", sourcefile: "peg-entry.ts" },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  outfile,
  logLevel: "warning",
});
process.stdout.write(`wrote ${path.relative(process.cwd(), outfile)}\n`);
