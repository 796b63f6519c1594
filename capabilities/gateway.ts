import { Capability } from "pepr";

/** The routing table of this module: each binding is one line that hands off to src/. */
export const Gateway = new Capability({
  name: "envoy-gateway",
  description: "Admission policy and controller for Gateway API and Envoy Gateway Backends.",
});
