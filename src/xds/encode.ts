/**
 * Encoding with the real Envoy protos: the descriptor compiled by scripts/gen-protos.js from the
 * .proto files that @grpc/grpc-js-xds ships. protobufjs drops unknown or misspelled fields without
 * a word, so `strictProblems` walks a message against its type first and names every field the
 * proto does not declare; `encodeResource` refuses a message with any.
 */
import * as crypto from "node:crypto";
import { createHash } from "node:crypto";
import * as protobuf from "protobufjs";
import { encodeStrictly } from "./encoder";
import descriptor from "./generated/envoy-protos.json";
import { type EncodedResource, type EnvoyMessage, type TypeUrl, messageName } from "./types";

let root: protobuf.Root | undefined;

/** The Envoy proto root, built once from the bundled descriptor. */
export function envoyRoot(): protobuf.Root {
  if (!root) {
    root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
    root.resolveAll();
  }
  return root;
}

const types = new Map<string, protobuf.Type>();

/** A message type by fully qualified name (without the leading dot). */
export function messageType(name: string): protobuf.Type {
  let type = types.get(name);
  if (!type) {
    type = envoyRoot().lookupType(name);
    types.set(name, type);
  }
  return type;
}

const DURATION = "google.protobuf.Duration";
const ANY = "google.protobuf.Any";
const STRUCT_LIKE = new Set(["google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"]);

const fullNames = new WeakMap<protobuf.Type, string>();

/** An enum value by number: a 32-bit whole number (protobufjs writes stray bytes for others). */
export function isEnumNumber(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= -0x80000000 && (value as number) <= 0x7fffffff;
}

function fullName(type: protobuf.Type): string {
  let name = fullNames.get(type);
  if (name === undefined) {
    name = type.fullName.replace(/^\./, "");
    fullNames.set(type, name);
  }
  return name;
}

/**
 * Every problem of `value` as a message of type `typeName`: fields the proto does not declare,
 * an Any whose `@type` is unknown, and values of the wrong JSON shape. Empty means it encodes
 * exactly what was written.
 */
export function strictProblems(typeName: string, value: unknown, at = ""): string[] {
  const type = messageType(typeName);
  if (messageOk(type, value)) return [];
  return checkMessage(type, value, at || typeName);
}

/**
 * The fast path of strictProblems: true when `value` has no problem at all. Same rules as
 * checkMessage, but allocates nothing and stops at the first problem; checkMessage then names
 * every problem with its path.
 */
function messageOk(type: protobuf.Type, value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const name = fullName(type);
  if (STRUCT_LIKE.has(name)) return true;
  const obj = value as Record<string, unknown>;
  if (name === ANY) {
    const url = obj["@type"];
    if (typeof url !== "string") return false;
    let inner: protobuf.Type;
    try {
      inner = messageType(url.slice(url.lastIndexOf("/") + 1));
    } catch {
      return false;
    }
    for (const key in obj) {
      if (key !== "@type" && !fieldOk(inner, key, obj[key])) return false;
    }
    return oneofsOk(inner, obj);
  }
  for (const key in obj) {
    if (!fieldOk(type, key, obj[key])) return false;
  }
  return oneofsOk(type, obj);
}

function fieldOk(type: protobuf.Type, key: string, v: unknown): boolean {
  const field = type.fields[key];
  if (!field) return false;
  if (v === undefined || v === null) return true;
  if (field.map) {
    if (typeof v !== "object" || Array.isArray(v)) return false;
    for (const k in v as Record<string, unknown>) if (!valueOk(field, (v as Record<string, unknown>)[k])) return false;
    return true;
  }
  if (field.repeated) {
    if (!Array.isArray(v)) return false;
    for (const item of v) if (!valueOk(field, item)) return false;
    return true;
  }
  return valueOk(field, v);
}

function oneofsOk(type: protobuf.Type, obj: Record<string, unknown>): boolean {
  for (const oneof of type.oneofsArray) {
    let set = 0;
    for (const fieldName of oneof.oneof) {
      const v = obj[fieldName];
      if (v !== undefined && v !== null) set++;
    }
    if (set > 1) return false;
  }
  return true;
}

function valueOk(field: protobuf.Field, value: unknown): boolean {
  if (!field.resolvedType) field.resolve();
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) {
    if (fullName(rt) === DURATION && typeof value === "object" && value !== null) {
      for (const k in value) if (k !== "seconds" && k !== "nanos") return false;
      return true;
    }
    return messageOk(rt, value);
  }
  if (rt instanceof protobuf.Enum) {
    if (typeof value === "string") return value in rt.values;
    return isEnumNumber(value);
  }
  switch (field.type) {
    case "string":
      return typeof value === "string";
    case "bool":
      return typeof value === "boolean";
    case "bytes":
      return typeof value === "string" || value instanceof Uint8Array;
    case "double":
    case "float":
      return typeof value === "number";
    default:
      return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value));
  }
}

function checkMessage(type: protobuf.Type, value: unknown, at: string): string[] {
  const name = fullName(type);
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${at}: expected a ${name} object`];
  if (STRUCT_LIKE.has(name)) return [];
  const obj = value as Record<string, unknown>;
  if (name === ANY) {
    const url = obj["@type"];
    if (typeof url !== "string") return [`${at}: Any without @type`];
    let inner: protobuf.Type;
    try {
      inner = messageType(url.slice(url.lastIndexOf("/") + 1));
    } catch {
      return [`${at}: unknown @type ${url}`];
    }
    const rest = { ...obj };
    delete rest["@type"];
    return checkMessage(inner, rest, `${at}<${fullName(inner)}>`);
  }
  const problems: string[] = [];
  const oneofsSet = new Map<string, string>();
  for (const [key, v] of Object.entries(obj)) {
    const field = type.fields[key];
    if (!field) {
      problems.push(`${at}.${key}: not a field of ${name}`);
      continue;
    }
    if (v === undefined || v === null) continue;
    if (field.partOf) {
      const other = oneofsSet.get(field.partOf.name);
      if (other) problems.push(`${at}.${key}: oneof ${field.partOf.name} already set by ${other}`);
      else oneofsSet.set(field.partOf.name, key);
    }
    problems.push(...checkField(field, v, `${at}.${key}`));
  }
  return problems;
}

function checkField(field: protobuf.Field, value: unknown, at: string): string[] {
  field.resolve();
  if (field.map) {
    if (typeof value !== "object" || Array.isArray(value)) return [`${at}: expected a map`];
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => checkValue(field, v, `${at}[${k}]`));
  }
  if (field.repeated) {
    if (!Array.isArray(value)) return [`${at}: expected a list`];
    return value.flatMap((v, i) => checkValue(field, v, `${at}[${i}]`));
  }
  return checkValue(field, value, at);
}

function checkValue(field: protobuf.Field, value: unknown, at: string): string[] {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) {
    if (fullName(rt) === DURATION && typeof value === "object" && value !== null) {
      const extra = Object.keys(value).filter(k => k !== "seconds" && k !== "nanos");
      return extra.map(k => `${at}.${k}: not a field of ${DURATION}`);
    }
    return checkMessage(rt, value, at);
  }
  if (rt instanceof protobuf.Enum) {
    if (typeof value === "string" && !(value in rt.values)) return [`${at}: ${value} is not a value of ${rt.name}`];
    if (typeof value !== "string" && !isEnumNumber(value)) return [`${at}: expected an enum value (a name or a 32-bit whole number)`];
    return [];
  }
  switch (field.type) {
    case "string":
      return typeof value === "string" ? [] : [`${at}: expected a string`];
    case "bool":
      return typeof value === "boolean" ? [] : [`${at}: expected a boolean`];
    case "bytes":
      return typeof value === "string" || value instanceof Uint8Array ? [] : [`${at}: expected bytes`];
    case "double":
    case "float":
      return typeof value === "number" ? [] : [`${at}: expected a number`];
    default: // integer types
      return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value))
        ? []
        : [`${at}: expected an integer`];
  }
}

/** Encodes a message of the type of `typeUrl` (or a fully qualified message name). */
export function encodeMessage(typeUrlOrName: string, message: EnvoyMessage): Uint8Array {
  const name = typeUrlOrName.startsWith("type.googleapis.com/") ? messageName(typeUrlOrName as TypeUrl) : typeUrlOrName;
  const type = messageType(name);
  return type.encode(type.fromObject(message)).finish();
}

/** Decodes bytes of a message type to the same plain-object shape render produces. */
export function decodeMessage(typeUrlOrName: string, bytes: Uint8Array): EnvoyMessage {
  const name = typeUrlOrName.startsWith("type.googleapis.com/") ? messageName(typeUrlOrName as TypeUrl) : typeUrlOrName;
  const type = messageType(name);
  return type.toObject(type.decode(bytes), { enums: String, longs: Number, bytes: String, json: true }) as EnvoyMessage;
}

/** The resource name of a message: `name`, or `clusterName` for ClusterLoadAssignment. */
export function resourceName(message: EnvoyMessage): string {
  const name = message.name ?? message.clusterName;
  if (typeof name !== "string" || name === "") throw new Error("resource without a name");
  return name;
}

/** One-shot hashing where the runtime has it (Node 20.12 and later), which skips a hash object. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: "hex") => string }).hash;

/** The SHA-256 of bytes or of a string's UTF-8, in hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return oneShot ? oneShot("sha256", data, "hex") : createHash("sha256").update(data).digest("hex");
}

export function contentHash(bytes: Uint8Array): string {
  return sha256Hex(bytes).slice(0, 16);
}

/**
 * Encodes a message of a type (fully qualified name), refusing it when strictProblems finds any
 * problem (the error names the first few). The same bytes as encodeMessage, in one pass.
 */
export function encodeChecked(typeName: string, message: EnvoyMessage): Uint8Array {
  const bytes = encodeStrictly(messageType(typeName), message);
  if (bytes) return bytes;
  const problems = strictProblems(typeName, message);
  if (problems.length > 0) throw new Error(`invalid ${typeName}: ${problems.slice(0, 5).join("; ")}`);
  return encodeMessage(typeName, message); // accepted, in a shape the one-pass encoder leaves to protobufjs
}

/** Checks strictly, encodes, and versions one resource by the hash of its bytes. */
export function encodeResource(typeUrl: TypeUrl, message: EnvoyMessage): EncodedResource {
  const bytes = encodeChecked(messageName(typeUrl), message);
  return { name: resourceName(message), typeUrl, version: contentHash(bytes), bytes, message };
}
