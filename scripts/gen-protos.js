#!/usr/bin/env node
/**
 * Compiles the Envoy API protos this project encodes into one protobufjs JSON descriptor,
 * src/xds/generated/envoy-protos.json, so the module bundle carries them and nothing is read
 * from disk at run time. The .proto sources are the ones @grpc/grpc-js-xds ships under deps/.
 * Run: node scripts/gen-protos.js            (write)
 *      node scripts/gen-protos.js --check    (exit 1 when the committed file is stale)
 */
"use strict";
const fs = require("fs");
const path = require("path");
const protobuf = require("protobufjs");

const deps = path.join(path.dirname(require.resolve("@grpc/grpc-js-xds/package.json")), "deps");
const includeDirs = [
  path.join(deps, "envoy-api"),
  path.join(deps, "xds"),
  path.join(deps, "googleapis"),
  path.join(deps, "protoc-gen-validate"),
  path.dirname(path.dirname(path.dirname(require.resolve("protobufjs/google/protobuf/descriptor.proto")))),
];

const entries = [
  "envoy/service/discovery/v3/ads.proto",
  "envoy/config/listener/v3/listener.proto",
  "envoy/config/route/v3/route.proto",
  "envoy/config/cluster/v3/cluster.proto",
  "envoy/config/endpoint/v3/endpoint.proto",
  "envoy/extensions/transport_sockets/tls/v3/tls.proto",
  "envoy/extensions/transport_sockets/tls/v3/secret.proto",
  "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto",
  "envoy/extensions/filters/http/router/v3/router.proto",
  "envoy/extensions/filters/http/cors/v3/cors.proto",
  "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto",
  "envoy/extensions/upstreams/http/v3/http_protocol_options.proto",
  "envoy/extensions/access_loggers/stream/v3/stream.proto",
  "envoy/admin/v3/config_dump_shared.proto",
  "envoy/admin/v3/config_dump.proto",
];

function build() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target) && fs.existsSync(target)) return target;
    for (const dir of includeDirs) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return target; // protobufjs resolves google/protobuf/* well-known types itself
  };
  root.loadSync(entries, { keepCase: false, alternateCommentMode: false });
  root.resolveAll();
  return JSON.stringify(root.toJSON({ keepComments: false })) + "\n";
}

const out = path.join(__dirname, "..", "src", "xds", "generated", "envoy-protos.json");
const json = build();
if (process.argv.includes("--check")) {
  const current = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
  if (current !== json) {
    console.error(`${path.relative(process.cwd(), out)} is stale: run node scripts/gen-protos.js`);
    process.exit(1);
  }
} else {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, json);
  console.log(`wrote ${path.relative(process.cwd(), out)} (${json.length} bytes)`);
}
