/**
 * Netlink message and attribute wire format (RFC 3549 §2.3.2, Linux
 * `<linux/netlink.h>`): pure encoding and decoding, host byte order
 * (little-endian on our targets), 4-byte alignment.
 *
 * ```
 *  nlmsghdr (16 bytes)
 *  0               1               2               3
 * +---------------+---------------+---------------+---------------+
 * |                          nlmsg_len (u32)                      |
 * +-------------------------------+-------------------------------+
 * |         nlmsg_type (u16)      |        nlmsg_flags (u16)      |
 * +-------------------------------+-------------------------------+
 * |                          nlmsg_seq (u32)                      |
 * +---------------------------------------------------------------+
 * |                          nlmsg_pid (u32)                      |
 * +---------------------------------------------------------------+
 *  family header (ifinfomsg, ifaddrmsg, rtmsg), then attributes:
 *
 *  rtattr / nlattr
 * +-------------------------------+-------------------------------+
 * |          rta_len (u16)        |   rta_type (u16, N/O bits)    |
 * +-------------------------------+-------------------------------+
 * |          value, padded to 4 bytes; nested attributes inside   |
 * +---------------------------------------------------------------+
 * ```
 *
 * @module
 */

export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** In an NLMSG_ERROR: extended-ack attributes follow. */
export const NLM_F_ACK_TLVS = 0x200;
export const NLMSGERR_ATTR_MSG = 1;

const NLA_TYPE_MASK = 0x3fff;
export const NLA_F_NESTED = 0x8000;

/** `(n + 3) & ~3`. */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** One decoded message; `body` is a view (family header + attributes) into the receive buffer. */
export interface NlMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  readonly body: Uint8Array;
}

/** A decode result: never a throw past the codec. */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly offset: number; readonly reason: string };

function bad<T>(offset: number, reason: string): Decoded<T> {
  return { ok: false, offset, reason };
}

/** Splits a datagram into messages. Bodies are views into `buf`. */
export function decodeMessages(buf: Uint8Array): Decoded<NlMessage[]> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: NlMessage[] = [];
  let o = 0;
  while (o < buf.length) {
    if (buf.length - o < NLMSG_HDRLEN) return bad(o, "truncated message header");
    const len = dv.getUint32(o, true);
    if (len < NLMSG_HDRLEN) return bad(o, `message length ${len} below header size`);
    if (len > buf.length - o) {
      return bad(o, `message length ${len} exceeds ${buf.length - o} bytes`);
    }
    out.push({
      type: dv.getUint16(o + 4, true),
      flags: dv.getUint16(o + 6, true),
      seq: dv.getUint32(o + 8, true),
      pid: dv.getUint32(o + 12, true),
      body: buf.subarray(o + NLMSG_HDRLEN, o + len),
    });
    o += align4(len);
  }
  return { ok: true, value: out };
}

/** Attributes of `buf` from `offset` on, by type (nested/byte-order bits masked off). */
export type Attrs = Map<number, Uint8Array>;

/** Decodes a run of attributes; values are views into `buf`. */
export function decodeAttrs(buf: Uint8Array, offset = 0): Decoded<Attrs> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Attrs = new Map();
  let o = offset;
  while (o < buf.length) {
    if (buf.length - o < 4) return bad(o, "truncated attribute header");
    const len = dv.getUint16(o, true);
    if (len < 4) return bad(o, `attribute length ${len} below header size`);
    if (len > buf.length - o) {
      return bad(o, `attribute length ${len} exceeds ${buf.length - o} bytes`);
    }
    out.set(dv.getUint16(o + 2, true) & NLA_TYPE_MASK, buf.subarray(o + 4, o + len));
    o += align4(len);
  }
  return { ok: true, value: out };
}

/** Nested attributes, or an empty map when the value is malformed. */
export function nestedAttrs(value: Uint8Array | undefined): Attrs {
  if (!value) return new Map();
  const r = decodeAttrs(value);
  return r.ok ? r.value : new Map();
}

const decoder = new TextDecoder();

/** Reads a little-endian u32 attribute (undefined when absent or short). */
export function attrU32(a: Attrs, type: number): number | undefined {
  const v = a.get(type);
  if (!v || v.length < 4) return undefined;
  return new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
}

/** Reads a u8 attribute. */
export function attrU8(a: Attrs, type: number): number | undefined {
  const v = a.get(type);
  return v && v.length >= 1 ? v[0] : undefined;
}

/** Reads a NUL-terminated string attribute. */
export function attrStr(a: Attrs, type: number): string | undefined {
  const v = a.get(type);
  if (!v) return undefined;
  const nul = v.indexOf(0);
  return decoder.decode(nul >= 0 ? v.subarray(0, nul) : v);
}

/** A copy of a binary attribute. */
export function attrBytes(a: Attrs, type: number): Uint8Array | undefined {
  const v = a.get(type);
  return v ? v.slice() : undefined;
}

const encoder = new TextEncoder();

/**
 * Builds one request at a time into a reusable buffer. `finish()` returns
 * a view that stays valid until the next `begin()`.
 */
export class NlWriter {
  #buf = new Uint8Array(4096);
  #dv = new DataView(this.#buf.buffer);
  #len = 0;

  #grow(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#dv = new DataView(next.buffer);
  }

  /** Starts a message (header written, length fixed by `finish`). */
  begin(type: number, flags: number, seq: number): this {
    this.#buf.fill(0, 0, NLMSG_HDRLEN);
    this.#len = NLMSG_HDRLEN;
    this.#dv.setUint16(4, type, true);
    this.#dv.setUint16(6, flags, true);
    this.#dv.setUint32(8, seq, true);
    return this;
  }

  /** Current length in bytes. */
  get length(): number {
    return this.#len;
  }

  u8(v: number): this {
    this.#grow(1);
    this.#buf[this.#len++] = v;
    return this;
  }
  u16(v: number): this {
    this.#grow(2);
    this.#dv.setUint16(this.#len, v, true);
    this.#len += 2;
    return this;
  }
  u32(v: number): this {
    this.#grow(4);
    this.#dv.setUint32(this.#len, v >>> 0, true);
    this.#len += 4;
    return this;
  }
  i32(v: number): this {
    this.#grow(4);
    this.#dv.setInt32(this.#len, v, true);
    this.#len += 4;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.#grow(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }
  zeros(n: number): this {
    this.#grow(n);
    this.#buf.fill(0, this.#len, this.#len + n);
    this.#len += n;
    return this;
  }
  #pad(): void {
    this.zeros(align4(this.#len) - this.#len);
  }

  /** An attribute with a raw value. */
  attr(type: number, value: Uint8Array): this {
    this.u16(4 + value.length).u16(type).bytes(value);
    this.#pad();
    return this;
  }
  attrU8(type: number, v: number): this {
    this.u16(5).u16(type).u8(v);
    this.#pad();
    return this;
  }
  attrU32(type: number, v: number): this {
    return this.u16(8).u16(type).u32(v);
  }
  attrI32(type: number, v: number): this {
    return this.u16(8).u16(type).i32(v);
  }
  /** A NUL-terminated string attribute. */
  attrStr(type: number, s: string): this {
    const b = encoder.encode(s);
    this.u16(4 + b.length + 1).u16(type).bytes(b).u8(0);
    this.#pad();
    return this;
  }

  /** Opens a nested attribute; pass the result to {@linkcode nestEnd}. */
  nestStart(type: number): number {
    const at = this.#len;
    this.u16(0).u16(type);
    return at;
  }
  nestEnd(at: number): this {
    this.#dv.setUint16(at, this.#len - at, true);
    return this;
  }

  /** Sets `nlmsg_len` and returns the message (a view into the writer's buffer). */
  finish(): Uint8Array {
    this.#dv.setUint32(0, this.#len, true);
    return this.#buf.subarray(0, this.#len);
  }
}
