#!/usr/bin/env node
/**
 * Checks the module YAML that `pepr build` emitted: every required webhook rule, the watcher
 * Deployment, and the size of the module Secret (Kubernetes refuses objects over 1 MiB).
 * Usage: node scripts/check-module-yaml.js dist/pepr-module-envoy-gateway.yaml
 */
"use strict";
const fs = require("fs");
const YAML = require("yaml");

const file = process.argv[2];
const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map(d => d.toJS()).filter(Boolean);
const problems = [];
const find = kind => docs.filter(d => d.kind === kind);

// Webhook rules: resource -> operations that must be covered, per webhook kind.
const required = {
  MutatingWebhookConfiguration: { backends: ["CREATE", "UPDATE"], httproutes: ["CREATE", "UPDATE"] },
  ValidatingWebhookConfiguration: { backends: ["CREATE", "UPDATE"], httproutes: ["CREATE", "UPDATE"] },
};
for (const [kind, resources] of Object.entries(required)) {
  const configs = find(kind);
  if (configs.length === 0) {
    problems.push(`no ${kind}`);
    continue;
  }
  const rules = configs.flatMap(c => (c.webhooks || []).flatMap(w => w.rules || []));
  for (const [resource, ops] of Object.entries(resources)) {
    for (const op of ops) {
      const covered = rules.some(r => (r.resources || []).includes(resource) && (r.operations || []).includes(op));
      if (!covered) problems.push(`${kind} does not cover ${op} ${resource}`);
    }
  }
}

const secret = find("Secret").find(s => s.data && Object.keys(s.data).some(k => k.startsWith("module-")));
if (!secret) problems.push("no module Secret");
else {
  const bytes = Buffer.byteLength(JSON.stringify(secret));
  const limit = 1024 * 1024;
  console.log(`module Secret: ${bytes} bytes (${((100 * bytes) / limit).toFixed(1)}% of 1 MiB)`);
  if (bytes >= limit) problems.push(`module Secret is ${bytes} bytes, over the 1 MiB limit`);
}

for (const p of problems) console.error(`check-module-yaml: ${p}`);
if (problems.length) process.exit(1);
console.log(`check-module-yaml: ${file} ok`);
