#!/usr/bin/env node
/**
 * Checks the module YAML that `pepr build` emitted: every required webhook rule (group, resource,
 * operation, and every served version reached directly or through matchPolicy Equivalent), and
 * the size of the module Secret (Kubernetes refuses objects over 1 MiB).
 * Usage: node scripts/check-module-yaml.js dist/pepr-module-envoy-gateway.yaml
 */
"use strict";
const fs = require("fs");
const YAML = require("yaml");

const file = process.argv[2];
const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map(d => d.toJS()).filter(Boolean);
const problems = [];
const find = kind => docs.filter(d => d.kind === kind);

// Webhook rules: what must be covered, per webhook kind. `versions` are the served versions of
// the CRD; a rule naming fewer of them needs matchPolicy Equivalent (the API server then converts
// requests for the other versions to the one the rule names).
const resources = [
  { group: "gateway.envoyproxy.io", resource: "backends", versions: ["v1alpha1"], ops: ["CREATE", "UPDATE"] },
  { group: "gateway.networking.k8s.io", resource: "httproutes", versions: ["v1", "v1beta1"], ops: ["CREATE", "UPDATE"] },
];
const has = (list, value) => (list || []).includes(value) || (list || []).includes("*");
for (const kind of ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]) {
  const configs = find(kind);
  if (configs.length === 0) {
    problems.push(`no ${kind}`);
    continue;
  }
  const webhooks = configs.flatMap(c => c.webhooks || []);
  for (const { group, resource, versions, ops } of resources) {
    for (const op of ops) {
      const covering = webhooks.filter(w =>
        (w.rules || []).some(r => has(r.apiGroups, group) && has(r.resources, resource) && has(r.operations, op)),
      );
      if (covering.length === 0) {
        problems.push(`${kind} does not cover ${op} ${group} ${resource}`);
        continue;
      }
      const reached = covering.some(
        w => w.matchPolicy === "Equivalent" || versions.every(v => (w.rules || []).some(r => has(r.apiVersions, v))),
      );
      if (!reached) problems.push(`${kind} covers ${op} ${resource} only for some of ${versions.join(", ")} (matchPolicy is not Equivalent)`);
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
