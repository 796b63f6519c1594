/**
 * Loopback gRPC backends for the proxyless-client tests: each answers /peg.test.Echo/Who with its
 * own name. And a client for `xds:///<host>` targets through @grpc/grpc-js-xds, configured with
 * a per-channel bootstrap that points at our xDS server.
 */
import { networkInterfaces } from "node:os";
import * as grpc from "@grpc/grpc-js";
import { classifyAddress, parsePlainAddress } from "../../../src/policy/address";

const WHO: grpc.ServiceDefinition = {
  Who: {
    path: "/peg.test.Echo/Who",
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
};

export interface Backend {
  name: string;
  port: number;
  calls: number;
  stop(): Promise<void>;
}

/**
 * A local IPv4 address that translation accepts as a Service endpoint. Loopback is never a
 * backend (translation drops it from EndpointSlices, as admission denies it in Backends), so
 * manifest-driven tests bind their backends to the machine's own non-loopback address.
 */
export function localBackendAddress(): string {
  const policy = { deniedCIDRs: [], denyPrivateRanges: false, allowUnixSockets: false, clusterDomain: "cluster.local" };
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      const parsed = a.family === "IPv4" && !a.internal ? parsePlainAddress(a.address) : undefined;
      if (parsed && !classifyAddress(parsed, policy)) return a.address;
    }
  }
  throw new Error("this machine has no non-loopback IPv4 address to run Service backends on");
}

export async function startBackend(name: string, host = "127.0.0.1"): Promise<Backend> {
  const server = new grpc.Server();
  const backend = { name, port: 0, calls: 0, stop: () => new Promise<void>(r => server.tryShutdown(() => r())) };
  server.addService(WHO, {
    Who: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      backend.calls++;
      cb(null, Buffer.from(name));
    },
  });
  backend.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  return backend;
}

const WhoClient = grpc.makeGenericClientConstructor(WHO, "Echo");

let registered = false;

/** Registers the xds: resolver of @grpc/grpc-js-xds into @grpc/grpc-js (once per process). */
export function registerXds(): void {
  if (registered) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("@grpc/grpc-js-xds").register();
  registered = true;
}

export function bootstrapJson(xdsPort: number, node: { id: string; cluster: string }): string {
  return JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${xdsPort}`, channel_creds: [{ type: "insecure" }], server_features: ["xds_v3"] }],
    node: { ...node, locality: {} },
  });
}

export class XdsWhoClient {
  private readonly client: grpc.Client & { Who: (req: Buffer, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Buffer) => void) => void };

  constructor(target: string, xdsPort: number, node = { id: "grpc-client", cluster: "default/eg" }) {
    registerXds();
    this.client = new WhoClient(target, grpc.credentials.createInsecure(), {
      "grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config": bootstrapJson(xdsPort, node),
    }) as never;
  }

  /** One call: the name of the backend that answered, or the error code. */
  who(headers: Record<string, string> = {}): Promise<string> {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(headers)) md.set(k, v);
    return new Promise(resolve => {
      this.client.Who(Buffer.alloc(0), md, { deadline: Date.now() + 20_000 }, (err, res) => {
        resolve(err ? `error:${grpc.status[err.code]}` : (res as Buffer).toString());
      });
    });
  }

  /** Calls until one is answered by `name` (fails after a generous timeout). */
  async until(name: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      last = await this.who(headers);
      if (last === name) return;
      await new Promise(r => setTimeout(r, 20));
    }
    throw new Error(`calls never reached ${name} (last answer: ${last})`);
  }

  /** Calls until `n` calls in a row are answered by `name` (fails after a generous timeout). */
  async untilOnly(name: string, n = 10, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let streak = 0;
    let last = "";
    while (streak < n) {
      if (Date.now() > deadline) throw new Error(`calls never all reached ${name} (last answer: ${last})`);
      last = await this.who(headers);
      streak = last === name ? streak + 1 : 0;
    }
  }

  /** `n` calls, counted by answer. */
  async tally(n: number, headers: Record<string, string> = {}): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const who = await this.who(headers);
      out[who] = (out[who] ?? 0) + 1;
    }
    return out;
  }

  close(): void {
    this.client.close();
  }
}
