/**
 * Sends without a copy per stream. grpc-js frames every message it sends (a 5-byte prefix: a
 * compressed flag and the length) by copying the serialized message into a new buffer behind that
 * prefix. For a response shared by many streams (the same route table to every Envoy of a
 * Gateway) that is one fresh multi-megabyte buffer per stream: most of the server's CPU in an
 * initial sync (filling new memory costs page faults) and most of its transient memory.
 *
 * Messages built here (`allocMessage`) keep those 5 bytes free in front of the body and write the
 * prefix themselves. The server's interceptor (`framingInterceptor`) gives each ADS call a
 * serializer that hands grpc-js the framed bytes of such a body as they are; anything else is
 * framed by grpc-js as before. The interceptor relies on the base call's `serializeMessage` step
 * (grpc-js 1.10 and later); if a grpc-js version lacks it, calls keep the copy and nothing else
 * changes (`framingStats.copying` counts them).
 */
import type * as grpc from "@grpc/grpc-js";

/** gRPC length-prefixed message: compressed flag (1 byte) and big-endian length (4 bytes). */
export const PREFIX_BYTES = 5;

const framedOf = new WeakMap<Buffer, Buffer>();

/**
 * A buffer of `size` bytes for a message body, with the gRPC prefix written in front of it.
 * The caller fills every byte of the body.
 */
export function allocMessage(size: number): Buffer {
  const framed = Buffer.allocUnsafe(size + PREFIX_BYTES);
  framed[0] = 0;
  framed.writeUInt32BE(size, 1);
  const body = framed.subarray(PREFIX_BYTES);
  framedOf.set(body, framed);
  return body;
}

/** The framed bytes (prefix and body) of a body from `allocMessage`; undefined for any other value. */
export function framedBytes(value: unknown): Buffer | undefined {
  return Buffer.isBuffer(value) ? framedOf.get(value) : undefined;
}

export const framingStats = {
  /** ADS calls whose framed messages are sent as they are. */
  zeroCopy: 0,
  /** ADS calls on which grpc-js copies every message (its call lacks the step relied on). */
  copying: 0,
};

/** Whether framed messages are sent without a copy (the last ADS call had the step). */
export function zeroCopyActive(): boolean {
  return lastCallZeroCopy;
}

let lastCallZeroCopy = false;

interface SerializingCall {
  serializeMessage?: (value: unknown) => Buffer;
}

/** A grpc-js server interceptor for the calls under `pathPrefix` (e.g. `/package.Service/`). */
export function framingInterceptor(pathPrefix: string): grpc.ServerInterceptor {
  // The call is returned as it is (the typings ask for the wrapper class, grpc-js takes any call).
  return (method, call) => {
    const same = call as grpc.ServerInterceptingCall;
    if (!method.path.startsWith(pathPrefix)) return same;
    const base = call as unknown as SerializingCall;
    const frame = base.serializeMessage;
    lastCallZeroCopy = typeof frame === "function";
    if (typeof frame !== "function") {
      framingStats.copying++;
      return same;
    }
    framingStats.zeroCopy++;
    base.serializeMessage = value => framedBytes(value) ?? frame.call(call, value);
    return same;
  };
}
