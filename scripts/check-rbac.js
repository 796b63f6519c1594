#!/usr/bin/env node
/**
 * Checks the RBAC of the module YAML that `pepr build` emitted: the ClusterRole bound to the
 * module's ServiceAccount must allow everything the watcher and the admission lookups do, and the
 * watcher Deployment must exist and run as that ServiceAccount. With `--rbac-mode scoped` (or
 * `pepr.rbacMode: "scoped"`) each rule is checked; an admin build's wildcard rule covers all.
 * Usage: node scripts/check-rbac.js dist/pepr-module-envoy-gateway.yaml [--require-scoped]
 */
"use strict";
const fs = require("fs");
const YAML = require("yaml");

const file = process.argv[2];
const requireScoped = process.argv.includes("--require-scoped");
if (!file) {
  console.error("usage: check-rbac.js <module yaml> [--require-scoped]");
  process.exit(2);
}
const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map(d => d.toJS()).filter(Boolean);

const READ = ["get", "list", "watch"];
const WRITE = ["create", "patch", "update", "delete"];
const STATUS = ["get", "patch"];
const GW = "gateway.networking.k8s.io";
// [apiGroup, resource, verbs]: what the watcher (ingest, status, data plane) and admission do.
const required = [
  [GW, "gatewayclasses", READ],
  [GW, "gateways", READ],
  [GW, "httproutes", READ],
  [GW, "referencegrants", READ],
  [GW, "backendtlspolicies", READ],
  [GW, "gatewayclasses/status", STATUS],
  [GW, "gateways/status", STATUS],
  [GW, "httproutes/status", STATUS],
  [GW, "backendtlspolicies/status", STATUS],
  ["gateway.envoyproxy.io", "backends", READ],
  ["gateway.envoyproxy.io", "backends/status", STATUS],
  ["", "namespaces", READ],
  ["discovery.k8s.io", "endpointslices", READ],
  ["", "services", [...READ, ...WRITE]],
  ["", "secrets", [...READ, ...WRITE]],
  ["", "configmaps", [...READ, ...WRITE]],
  ["", "serviceaccounts", ["get", ...WRITE]],
  ["apps", "deployments", [...READ, ...WRITE]],
  ["", "events", ["create", "patch"]],
  ["pepr.dev", "peprstores", ["create", "get", "patch", "watch"]],
];

const problems = [];
const find = (kind, pred = () => true) => docs.filter(d => d.kind === kind && pred(d));

const binding = find("ClusterRoleBinding")[0];
const role = binding && find("ClusterRole", r => r.metadata.name === binding.roleRef.name)[0];
if (!binding) problems.push("no ClusterRoleBinding");
if (!role) problems.push("no ClusterRole bound to the module's ServiceAccount");
const subjects = (binding && binding.subjects) || [];

const allows = (rules, group, resource, verb) =>
  rules.some(
    r =>
      (r.apiGroups || []).some(g => g === "*" || g === group) &&
      (r.resources || []).some(x => x === "*" || x === resource) &&
      (r.verbs || []).some(v => v === "*" || v === verb) &&
      !(r.resourceNames && r.resourceNames.length),
  );

let scoped = false;
if (role) {
  const rules = role.rules || [];
  scoped = !rules.some(r => (r.resources || []).includes("*"));
  if (requireScoped && !scoped) problems.push("the ClusterRole is the admin wildcard; build with --rbac-mode scoped");
  for (const [group, resource, verbs] of required) {
    for (const verb of verbs) {
      if (!allows(rules, group, resource, verb)) problems.push(`ClusterRole ${role.metadata.name} does not allow ${verb} ${group || "core"}/${resource}`);
    }
  }
}

// The watcher: a Deployment with PEPR_WATCH_MODE=true, running as a bound ServiceAccount.
const watcher = find("Deployment", d =>
  (d.spec.template.spec.containers || []).some(c => (c.env || []).some(e => e.name === "PEPR_WATCH_MODE" && e.value === "true")),
)[0];
if (!watcher) problems.push("no watcher Deployment (PEPR_WATCH_MODE=true)");
else {
  const sa = watcher.spec.template.spec.serviceAccountName;
  const ns = watcher.metadata.namespace;
  if (!subjects.some(s => s.kind === "ServiceAccount" && s.name === sa && s.namespace === ns)) {
    problems.push(`the watcher's ServiceAccount ${ns}/${sa} is not bound to the ClusterRole`);
  }
  const labels = watcher.spec.template.metadata.labels || {};
  // The xDS Service (created by the watcher) selects these labels.
  for (const [k, v] of Object.entries({ app: "pepr-envoy-gateway-watcher", "pepr.dev/controller": "watcher" })) {
    if (labels[k] !== v) problems.push(`watcher pod label ${k}=${v} missing (the xDS Service selects it)`);
  }
}

for (const p of problems) console.error(`check-rbac: ${p}`);
if (problems.length) process.exit(1);
console.log(`check-rbac: ${file} ok (${scoped ? "scoped rules" : "admin wildcard"}, ${required.length} resources checked)`);
