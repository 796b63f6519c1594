/**
 * A protobuf writer for the one-pass encoder (encoder.ts): writes straight into one growing
 * buffer, and a length-delimited field's length in front of its content once the content is
 * written (one byte is reserved; the content moves when the length needs more). Every value is
 * written with the very bytes protobufjs's Writer gives it: the same varint, zig-zag, 64-bit
 * (through protobufjs's LongBits), floating point and UTF-8 encodings.
 */
import * as protobuf from "protobufjs";

const { LongBits, float, utf8 } = protobuf.util as unknown as {
  LongBits: { from(value: unknown): Bits; fromNumber(value: number): Bits };
  float: { writeFloatLE(v: number, buf: Uint8Array, pos: number): void; writeDoubleLE(v: number, buf: Uint8Array, pos: number): void };
  utf8: { write(s: string, buf: Uint8Array, pos: number): number };
};

interface Bits {
  lo: number;
  hi: number;
  length(): number;
  zzEncode(): Bits;
}

/** Strings this long and longer are written by the runtime's UTF-8 encoder, as protobufjs does. */
const NATIVE_UTF8_FROM = 40;

function varintSize(value: number): number {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : value < 268435456 ? 4 : 5;
}

export class ProtoWriter {
  private buf: Buffer = Buffer.allocUnsafe(1024);
  private pos = 0;
  /** Starts of the open length-delimited fields (where their reserved length byte is). */
  private readonly open: number[] = [];

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  uint32(value: number): this {
    let v = value >>> 0;
    this.room(5);
    while (v > 127) {
      this.buf[this.pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
    return this;
  }

  private varint64(bits: Bits): this {
    this.room(10);
    let { lo, hi } = bits;
    while (hi) {
      this.buf[this.pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) {
      this.buf[this.pos++] = (lo & 127) | 128;
      lo >>>= 7;
    }
    this.buf[this.pos++] = lo;
    return this;
  }

  int32(value: number): this {
    return value < 0 ? this.varint64(LongBits.fromNumber(value)) : this.uint32(value);
  }

  sint32(value: number): this {
    return this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  uint64(value: unknown): this {
    return this.varint64(LongBits.from(value));
  }

  int64(value: unknown): this {
    return this.varint64(LongBits.from(value));
  }

  sint64(value: unknown): this {
    return this.varint64(LongBits.from(value).zzEncode());
  }

  bool(value: boolean): this {
    this.room(1);
    this.buf[this.pos++] = value ? 1 : 0;
    return this;
  }

  private fixed(value: number): void {
    this.room(4);
    this.buf[this.pos] = value & 255;
    this.buf[this.pos + 1] = (value >>> 8) & 255;
    this.buf[this.pos + 2] = (value >>> 16) & 255;
    this.buf[this.pos + 3] = value >>> 24;
    this.pos += 4;
  }

  fixed32(value: number): this {
    this.fixed(value >>> 0);
    return this;
  }

  sfixed32(value: number): this {
    return this.fixed32(value);
  }

  fixed64(value: unknown): this {
    const bits = LongBits.from(value);
    this.fixed(bits.lo);
    this.fixed(bits.hi);
    return this;
  }

  sfixed64(value: unknown): this {
    return this.fixed64(value);
  }

  float(value: number): this {
    this.room(4);
    float.writeFloatLE(value, this.buf, this.pos);
    this.pos += 4;
    return this;
  }

  double(value: number): this {
    this.room(8);
    float.writeDoubleLE(value, this.buf, this.pos);
    this.pos += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.uint32(value.length);
    this.room(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** A string's UTF-8 bytes, length first (written after the bytes, as for a nested message). */
  string(value: string): this {
    this.fork();
    this.room(3 * value.length);
    if (value.length < NATIVE_UTF8_FROM) this.pos += utf8.write(value, this.buf, this.pos);
    else this.pos += this.buf.write(value, this.pos, "utf8");
    return this.ldelim();
  }

  /** Opens a length-delimited field's content (its tag is written already). */
  fork(): this {
    this.room(1);
    this.open.push(this.pos++);
    return this;
  }

  /** Closes the content opened last, writing its length in front of it. */
  ldelim(): this {
    const start = this.open.pop()!;
    const len = this.pos - start - 1;
    const size = varintSize(len);
    if (size > 1) {
      this.room(size - 1);
      this.buf.copyWithin(start + size, start + 1, this.pos);
      this.pos += size - 1;
    }
    let v = len;
    let at = start;
    while (v > 127) {
      this.buf[at++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[at] = v;
    return this;
  }

  /** The bytes written (a copy). */
  finish(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buf, 0, this.pos);
  }

  /** Starts over, keeping the buffer (a writer is reused from one message to the next). */
  reset(): this {
    this.pos = 0;
    this.open.length = 0;
    return this;
  }
}

/** Writes one scalar of a protobuf scalar type (as named in a .proto), as protobufjs would. */
export function writeScalar(w: ProtoWriter, type: string, value: unknown): void {
  switch (type) {
    case "string":
      w.string(value as string);
      return;
    case "bool":
      w.bool(value as boolean);
      return;
    case "bytes":
      w.bytes(value as Uint8Array);
      return;
    case "double":
      w.double(value as number);
      return;
    case "float":
      w.float(value as number);
      return;
    case "int32":
      w.int32(value as number);
      return;
    case "uint32":
      w.uint32(value as number);
      return;
    case "sint32":
      w.sint32(value as number);
      return;
    case "fixed32":
    case "sfixed32":
      w.fixed32(value as number);
      return;
    case "int64":
    case "uint64":
      w.int64(value);
      return;
    case "sint64":
      w.sint64(value);
      return;
    default: // fixed64, sfixed64
      w.fixed64(value);
  }
}
