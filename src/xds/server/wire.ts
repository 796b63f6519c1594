/**
 * Wire encoding of discovery responses from pre-encoded resources. A resource's bytes are wrapped
 * in a google.protobuf.Any (and, for delta, a discovery Resource) once, and the wrapped bytes are
 * shared by every stream and every response that carries the resource: a response is the
 * concatenation of those entries and a few small fields, so nothing is re-encoded per stream.
 *
 * Field numbers (envoy/service/discovery/v3/discovery.proto):
 *   DiscoveryResponse       version_info=1 resources=2 (Any) type_url=4 nonce=5
 *   DeltaDiscoveryResponse  system_version_info=1 resources=2 (Resource) type_url=4 nonce=5 removed_resources=6
 *   Resource                version=1 resource=2 (Any) name=3
 *   google.protobuf.Any     type_url=1 value=2
 */
import type { EncodedResource } from "../types";
import { allocMessage, framedBytes } from "./framing";

const LEN = 2; // wire type: length-delimited

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, offset: number, n: number): number {
  while (n >= 0x80) {
    buf[offset++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[offset++] = n;
  return offset;
}

/** Bytes of a length-delimited field with a payload of `length` bytes. */
function fieldSize(field: number, length: number): number {
  return varintSize((field << 3) | LEN) + varintSize(length) + length;
}

/** Writes the tag and length of a length-delimited field; returns the payload's offset. */
function writeHeader(buf: Buffer, offset: number, field: number, length: number): number {
  return writeVarint(buf, writeVarint(buf, offset, (field << 3) | LEN), length);
}

/** One length-delimited field: tag, length, payload. */
export function lengthDelimited(field: number, payload: Uint8Array | string): Buffer {
  const bytes = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const out = Buffer.allocUnsafe(fieldSize(field, bytes.length));
  out.set(bytes, writeHeader(out, 0, field, bytes.length));
  return out;
}

const sotwCache = new WeakMap<EncodedResource, Buffer>();
const deltaCache = new WeakMap<EncodedResource, Buffer>();

/**
 * `field` holding a google.protobuf.Any of the resource (type_url, value), after `before` (whole
 * fields), in one buffer.
 */
function withAny(field: number, resource: EncodedResource, before: Buffer[] = []): Buffer {
  const typeUrl = Buffer.from(resource.typeUrl, "utf8");
  const anySize = fieldSize(1, typeUrl.length) + fieldSize(2, resource.bytes.length);
  let bodySize = fieldSize(field, anySize);
  for (const b of before) bodySize += b.length;
  const out = Buffer.allocUnsafe(bodySize);
  let offset = 0;
  for (const b of before) {
    out.set(b, offset);
    offset += b.length;
  }
  offset = writeHeader(out, offset, field, anySize);
  offset = writeHeader(out, offset, 1, typeUrl.length);
  out.set(typeUrl, offset);
  offset = writeHeader(out, offset + typeUrl.length, 2, resource.bytes.length);
  out.set(resource.bytes, offset);
  return out;
}

/** DiscoveryResponse.resources entry (field 2, an Any), encoded once per resource. */
export function sotwEntry(resource: EncodedResource): Buffer {
  let entry = sotwCache.get(resource);
  if (!entry) {
    entry = withAny(2, resource);
    sotwCache.set(resource, entry);
  }
  return entry;
}

/** DeltaDiscoveryResponse.resources entry (field 2, a Resource with name, version and Any), encoded once per resource. */
export function deltaEntry(resource: EncodedResource): Buffer {
  let entry = deltaCache.get(resource);
  if (!entry) {
    entry = lengthDelimited(2, withAny(2, resource, [lengthDelimited(3, resource.name), lengthDelimited(1, resource.version)]));
    deltaCache.set(resource, entry);
  }
  return entry;
}

/**
 * A response whose bytes are assembled only when it is written: `chunks` are shared buffers,
 * `size` their total length (known without building, for flow control).
 */
export interface WireMessage {
  chunks: Buffer[];
  size: number;
  /** Number of resources carried (for metrics). */
  resources: number;
}

function message(chunks: Buffer[], resources: number): WireMessage {
  let size = 0;
  for (const c of chunks) size += c.length;
  return { chunks, size, resources };
}

export interface SotwResponseFields {
  versionInfo: string;
  typeUrl: string;
  nonce: string;
  /** Resource entries from `sotwEntry`, or one pre-concatenated body of them. */
  entries: Buffer[];
  resources: number;
}

export function sotwResponse(f: SotwResponseFields): WireMessage {
  return message(
    [lengthDelimited(1, f.versionInfo), ...f.entries, lengthDelimited(4, f.typeUrl), lengthDelimited(5, f.nonce)],
    f.resources,
  );
}

export interface DeltaResponseFields {
  systemVersionInfo: string;
  typeUrl: string;
  nonce: string;
  /** Resource entries from `deltaEntry`. */
  entries: Buffer[];
  resources: number;
  removed: string[];
}

export function deltaResponse(f: DeltaResponseFields): WireMessage {
  return message(
    [
      lengthDelimited(1, f.systemVersionInfo),
      ...f.entries,
      lengthDelimited(4, f.typeUrl),
      ...f.removed.map(name => lengthDelimited(6, name)),
      lengthDelimited(5, f.nonce),
    ],
    f.resources,
  );
}

/**
 * The bytes of a message, assembled once with room for gRPC's prefix (framing.ts); a message
 * already assembled that way is returned as it is.
 */
export function build(msg: WireMessage): Buffer {
  if (msg.chunks.length === 1 && framedBytes(msg.chunks[0])) return msg.chunks[0];
  const out = allocMessage(msg.size);
  let offset = 0;
  for (const chunk of msg.chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Whether a message's bytes are already assembled (a shared response): writing it allocates nothing. */
export function prebuilt(msg: WireMessage): boolean {
  return msg.chunks.length === 1 && framedBytes(msg.chunks[0]) !== undefined;
}
