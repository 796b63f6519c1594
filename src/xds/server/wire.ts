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

/** One length-delimited field: tag, length, payload. */
export function lengthDelimited(field: number, payload: Uint8Array | string): Buffer {
  const bytes = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const tag = (field << 3) | LEN;
  const out = Buffer.allocUnsafe(varintSize(tag) + varintSize(bytes.length) + bytes.length);
  let offset = writeVarint(out, 0, tag);
  offset = writeVarint(out, offset, bytes.length);
  out.set(bytes, offset);
  return out;
}

const anyCache = new WeakMap<EncodedResource, Buffer>();
const sotwCache = new WeakMap<EncodedResource, Buffer>();
const deltaCache = new WeakMap<EncodedResource, Buffer>();

/** The resource as a google.protobuf.Any (type_url, value). */
function anyOf(resource: EncodedResource): Buffer {
  let any = anyCache.get(resource);
  if (!any) {
    any = Buffer.concat([lengthDelimited(1, resource.typeUrl), lengthDelimited(2, resource.bytes)]);
    anyCache.set(resource, any);
  }
  return any;
}

/** DiscoveryResponse.resources entry (field 2, an Any), encoded once per resource. */
export function sotwEntry(resource: EncodedResource): Buffer {
  let entry = sotwCache.get(resource);
  if (!entry) {
    entry = lengthDelimited(2, anyOf(resource));
    sotwCache.set(resource, entry);
  }
  return entry;
}

/** DeltaDiscoveryResponse.resources entry (field 2, a Resource with name, version and Any). */
export function deltaEntry(resource: EncodedResource): Buffer {
  let entry = deltaCache.get(resource);
  if (!entry) {
    const body = Buffer.concat([lengthDelimited(3, resource.name), lengthDelimited(1, resource.version), lengthDelimited(2, anyOf(resource))]);
    entry = lengthDelimited(2, body);
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

/** The bytes of a message (one copy). */
export function build(msg: WireMessage): Buffer {
  return msg.chunks.length === 1 ? msg.chunks[0] : Buffer.concat(msg.chunks, msg.size);
}
