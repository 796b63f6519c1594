#!/usr/bin/env bash
# Builds the Pepr module and checks what it emitted: the module YAML exists, the webhooks cover
# what the capability binds, the module Secret stays under Kubernetes' 1 MiB object limit, and the
# scoped ClusterRole (package.json pepr.rbacMode) grants what the watcher and admission need.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx pepr build > .build.log 2>&1 || { cat .build.log; exit 1; }
shopt -s nullglob
yamls=(dist/pepr-module-*.yaml)
if [ ${#yamls[@]} -ne 1 ]; then
  cat .build.log
  echo "check-build: pepr build wrote no dist/pepr-module-*.yaml" >&2
  exit 1
fi
node scripts/check-module-yaml.js "${yamls[0]}"
node scripts/check-rbac.js "${yamls[0]}" --require-scoped
rm -f .build.log
