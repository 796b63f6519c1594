/**
 * Strict encoding in one pass: walks a rendered message against its proto type and writes the
 * protobuf bytes as it goes, refusing it at the first field the proto does not declare or value
 * of the wrong shape (the rules of strictProblems in encode.ts, which then names every problem).
 *
 * The bytes are those protobufjs writes for `type.encode(type.fromObject(message))` (the tests
 * compare both on every rendered message): fields in field-number order, a field written whenever
 * it is set (null and undefined are unset), repeated scalars packed where the proto says so, map
 * entries in key order, and an Any given as `{ "@type": url, ...fields }` as its type URL and the
 * fields' encoding. It skips the intermediate message objects fromObject builds, and a separate
 * checking walk.
 */
import * as protobuf from "protobufjs";
import { ProtoWriter, writeScalar } from "./protowriter";
import type { EnvoyMessage } from "./types";

const DURATION = "google.protobuf.Duration";
const ANY = "google.protobuf.Any";
const STRUCT_LIKE = new Set(["google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"]);

/** Wire types of scalar field types (enums are int32). */
const WIRE: Record<string, number> = {
  double: 1, float: 5, int32: 0, uint32: 0, sint32: 0, fixed32: 5, sfixed32: 5,
  int64: 0, uint64: 0, sint64: 0, fixed64: 1, sfixed64: 1, bool: 0, string: 2, bytes: 2,
};
const PACKABLE = new Set(["double", "float", "int32", "uint32", "sint32", "fixed32", "sfixed32", "int64", "uint64", "sint64", "fixed64", "sfixed64", "bool"]);
const INTEGER = /^-?\d+$/;

type Writer = ProtoWriter;

interface FieldInfo {
  field: protobuf.Field;
  id: number;
  /** The field's key (number and wire type) as written before a single value. */
  tag: number;
  /** Message type, for message fields. */
  message?: protobuf.Type;
  enumValues?: Record<string, number>;
  /** Scalar type name (writer method), "int32" for enums; undefined for messages. */
  scalar?: string;
  packed: boolean;
  oneof?: string;
}

interface TypeInfo {
  name: string;
  /** What is special about the type: free-form JSON, Duration, Any. */
  kind: "message" | "struct" | "duration" | "any";
  fields: Map<string, FieldInfo>;
  oneofs: boolean;
}

const infos = new WeakMap<protobuf.Type, TypeInfo>();

function infoOf(type: protobuf.Type): TypeInfo {
  let info = infos.get(type);
  if (info) return info;
  const fields = new Map<string, FieldInfo>();
  for (const field of type.fieldsArray) {
    field.resolve();
    const rt = field.resolvedType;
    const f: FieldInfo = { field, id: field.id, tag: 0, packed: false, oneof: field.partOf?.name };
    if (rt instanceof protobuf.Type) f.message = rt;
    else if (rt instanceof protobuf.Enum) {
      f.enumValues = rt.values;
      f.scalar = "int32";
    } else f.scalar = field.type;
    f.packed = field.repeated && !field.map && f.scalar !== undefined && PACKABLE.has(f.scalar) && field.packed;
    f.tag = ((field.id << 3) | (f.message ? 2 : WIRE[f.scalar!])) >>> 0;
    fields.set(field.name, f);
  }
  const name = type.fullName.replace(/^\./, "");
  const kind = STRUCT_LIKE.has(name) ? "struct" : name === DURATION ? "duration" : name === ANY ? "any" : "message";
  info = { name, kind, fields, oneofs: type.oneofsArray.length > 0 };
  infos.set(type, info);
  return info;
}

/** Thrown inside the walk at the first problem; the caller then asks strictProblems for all of them. */
class Refused extends Error {}
const refused = new Refused();

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The value to write for a scalar or enum, or `refused` when strictProblems would not accept it. */
function scalarValue(f: FieldInfo, value: unknown): unknown {
  if (f.enumValues) {
    if (typeof value === "number" && value === (value | 0)) return value;
    if (typeof value === "string" && value in f.enumValues) return f.enumValues[value];
    throw refused;
  }
  switch (f.scalar) {
    case "string":
      if (typeof value !== "string") throw refused;
      return value;
    case "bool":
      if (typeof value !== "boolean") throw refused;
      return value;
    case "bytes":
      if (typeof value === "string") return base64(value);
      if (!(value instanceof Uint8Array)) throw refused;
      return value;
    case "double":
    case "float":
      if (typeof value !== "number") throw refused;
      return value;
    default:
      if (!((typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && INTEGER.test(value)))) throw refused;
      if (f.scalar === "int32" || f.scalar === "sint32" || f.scalar === "sfixed32") return (value as number) | 0;
      if (f.scalar === "uint32" || f.scalar === "fixed32") return (value as number) >>> 0;
      return long(value, f.scalar === "uint64");
  }
}

/** A 64-bit value as fromObject converts it (out-of-range numbers saturate as Long's do). */
function long(value: unknown, unsigned: boolean): unknown {
  const Long = protobuf.util.Long as unknown as { fromValue(v: unknown): { unsigned: boolean } } | undefined;
  if (!Long) return typeof value === "string" ? parseInt(value, 10) : value;
  const out = Long.fromValue(value);
  out.unsigned = unsigned;
  return out;
}

function base64(text: string): Uint8Array {
  const buf = protobuf.util.newBuffer(protobuf.util.base64.length(text)) as Uint8Array;
  protobuf.util.base64.decode(text, buf, 0);
  return buf;
}

function writeValue(w: Writer, f: FieldInfo, value: unknown): void {
  w.uint32(f.tag);
  if (f.message) {
    w.fork();
    writeMessage(w, f.message, value);
    w.ldelim();
  } else writeScalar(w, f.scalar!, scalarValue(f, value));
}

function writeMap(w: Writer, f: FieldInfo, value: unknown): void {
  if (!isObject(value)) throw refused;
  const keyType = (f.field as unknown as protobuf.MapField).keyType;
  for (const key of Object.keys(value)) {
    const v = value[key];
    w.uint32(((f.id << 3) | 2) >>> 0).fork().uint32(8 | WIRE[keyType]);
    writeScalar(w, keyType, key);
    if (f.message) {
      w.uint32(18).fork();
      writeMessage(w, f.message, v);
      w.ldelim();
    } else {
      w.uint32(16 | WIRE[f.scalar!]);
      writeScalar(w, f.scalar!, scalarValue(f, v));
    }
    w.ldelim();
  }
}

function writeField(w: Writer, f: FieldInfo, value: unknown): void {
  if (f.field.map) return writeMap(w, f, value);
  if (!f.field.repeated) return writeValue(w, f, value);
  if (!Array.isArray(value)) throw refused;
  if (value.length === 0) return;
  if (!f.packed) {
    for (const item of value) writeValue(w, f, item);
    return;
  }
  w.uint32(((f.id << 3) | 2) >>> 0).fork();
  for (const item of value) writeScalar(w, f.scalar!, scalarValue(f, item));
  w.ldelim();
}

/** The writer every message is written with, one at a time (its buffer is reused). */
const writer = new ProtoWriter();

/** Per nesting depth, the fields set on the message being written and their values (reused). */
const scratchFields: FieldInfo[][] = [];
const scratchValues: unknown[][] = [];
let depth = 0;

/** Writes the fields set on `obj` (every key must be one; one per oneof), in field-number order. */
function writeFields(w: Writer, info: TypeInfo, obj: Record<string, unknown>, skip?: string): void {
  const d = depth++;
  const fields = (scratchFields[d] ??= []);
  const values = (scratchValues[d] ??= []);
  let n = 0;
  for (const key in obj) {
    if (key === skip) continue;
    const f = info.fields.get(key);
    if (!f) throw refused;
    const value = obj[key];
    if (value === undefined || value === null) continue;
    let at = n++;
    while (at > 0 && fields[at - 1].id > f.id) {
      fields[at] = fields[at - 1];
      values[at] = values[at - 1];
      at--;
    }
    fields[at] = f;
    values[at] = value;
  }
  if (info.oneofs) {
    for (let i = 0; i < n; i++) {
      const oneof = fields[i].oneof;
      if (oneof === undefined) continue;
      for (let j = 0; j < i; j++) if (fields[j].oneof === oneof) throw refused;
    }
  }
  for (let i = 0; i < n; i++) {
    writeField(w, fields[i], values[i]);
    values[i] = undefined;
  }
  depth--;
}

function writeMessage(w: Writer, type: protobuf.Type, value: unknown): void {
  if (!isObject(value)) throw refused;
  const info = infoOf(type);
  switch (info.kind) {
    case "struct":
      type.encode(type.fromObject(value), w as unknown as protobuf.Writer); // free-form JSON, no strict rules: protobufjs's own conversion
      return;
    case "any":
      return writeAny(w, type, value);
    case "duration":
      for (const key in value) if (key !== "seconds" && key !== "nanos") throw refused;
  }
  writeFields(w, info, value);
}

function writeAny(w: Writer, any: protobuf.Type, value: Record<string, unknown>): void {
  const url = value["@type"];
  if (typeof url !== "string" || url === "") throw refused;
  let inner: protobuf.Type;
  try {
    inner = any.root.lookupType(url.slice(url.lastIndexOf("/") + 1));
  } catch {
    throw refused;
  }
  let typeUrl = url.charAt(0) === "." ? url.slice(1) : url;
  if (!typeUrl.includes("/")) typeUrl = `/${typeUrl}`;
  w.uint32(10).string(typeUrl);
  w.uint32(18).fork();
  writeFields(w, infoOf(inner), value, "@type");
  w.ldelim();
}

/**
 * The bytes of `message` as a `type`, or undefined when it holds something strictProblems may
 * report (a field the proto does not declare, a value of the wrong shape, two members of a
 * oneof), or a shape left to protobufjs (e.g. a Duration whose values are not whole numbers).
 */
export function encodeStrictly(type: protobuf.Type, message: EnvoyMessage): Uint8Array | undefined {
  const w = writer.reset();
  depth = 0;
  try {
    writeMessage(w, type, message);
  } catch (err) {
    for (const values of scratchValues) values.fill(undefined);
    if (err === refused) return undefined;
    throw err;
  }
  return w.finish();
}
