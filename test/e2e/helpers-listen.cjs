// Preloaded into a Pepr process started by the end-to-end tests. Pepr's servers listen on fixed
// ports (3000); here a listen on the port named by PEPR_E2E_FIXED_PORT goes to an ephemeral port
// on 127.0.0.1 instead, and the port taken is reported to the parent over the IPC channel, so
// several Pepr processes can run side by side.
"use strict";
const net = require("node:net");

const fixed = Number(process.env.PEPR_E2E_FIXED_PORT || 3000);
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function (...args) {
  if (args[0] === fixed || args[0] === String(fixed)) {
    const rest = args.slice(1).filter((a) => typeof a === "function");
    this.once("listening", () => {
      const port = this.address().port;
      if (process.send) process.send({ peprE2eListening: port });
    });
    return listen.call(this, 0, "127.0.0.1", ...rest);
  }
  return listen.apply(this, args);
};
