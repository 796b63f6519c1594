// Preloaded into a Pepr process started by the end-to-end tests. Pepr's servers listen on fixed
// ports (3000, and the module's own, e.g. its xDS port); a listen on a port named in
// PEPR_E2E_REMAP_PORTS (comma-separated, default 3000) goes to an ephemeral port on 127.0.0.1
// instead, and the port taken is reported to the parent over the IPC channel, so several
// processes can run side by side.
"use strict";
const net = require("node:net");

const remap = new Set((process.env.PEPR_E2E_REMAP_PORTS || "3000").split(",").map((p) => Number(p.trim())));
const listen = net.Server.prototype.listen;

function requestedPort(args) {
  const first = args[0];
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) return Number(first);
  if (first && typeof first === "object" && first.port !== undefined) return Number(first.port);
  return undefined;
}

net.Server.prototype.listen = function (...args) {
  const port = requestedPort(args);
  if (port === undefined || !remap.has(port)) return listen.apply(this, args);
  const callback = args.find((a) => typeof a === "function");
  this.once("listening", () => {
    if (process.send) process.send({ peprE2eListening: this.address().port, requested: port });
  });
  return callback ? listen.call(this, 0, "127.0.0.1", callback) : listen.call(this, 0, "127.0.0.1");
};

// The test that started this process owns it: when that test's process goes away (the IPC
// channel closes), this one goes too, so an interrupted run leaves nothing behind.
if (process.send) process.on("disconnect", () => process.exit(0));
