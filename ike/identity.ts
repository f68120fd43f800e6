/**
 * IKEv2 identities (RFC 7296 §3.5): the ID types Tandem speaks (IPv4, IPv6,
 * FQDN, RFC822, KEY_ID), their text forms and their wire data.
 *
 * Text forms follow strongSwan's conventions, which operators know:
 * - an IPv4 or IPv6 literal is an address identity;
 * - `@host.example` or `host.example` (no `@` inside) is an FQDN;
 * - `user@host.example` is an RFC822 address;
 * - `@#0a1b…` or `keyid:0a1b…` is a KEY_ID given in hex.
 *
 * @module
 */
import { formatIp, type IpAddress, tryParseIp } from "../core/ip.ts";

/** The ID types of RFC 7296 §3.5 that Tandem accepts. */
export type IdType = "ipv4" | "ipv6" | "fqdn" | "rfc822" | "key-id";

/** IANA "IKEv2 Identification Payload ID Types". */
export const ID_TYPE_NUMBERS: Readonly<Record<IdType, number>> = {
  "ipv4": 1,
  "fqdn": 2,
  "rfc822": 3,
  "ipv6": 5,
  "key-id": 11,
};

/** An identity: its type and the bytes that follow the ID payload's reserved field. */
export interface Identity {
  readonly type: IdType;
  readonly data: Uint8Array;
}

/** Thrown by {@linkcode parseIdentity}; the message is in the project's error voice. */
export class IdentityError extends Error {
  override name = "IdentityError";
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The address identity of `ip` (the default local and remote ID). */
export function identityOfAddress(ip: IpAddress): Identity {
  return { type: ip.family === 4 ? "ipv4" : "ipv6", data: ip.bytes.slice() };
}

/** Parses an identity in the text forms described in the module comment. */
export function parseIdentity(text: string): Identity {
  if (text.length === 0) throw new IdentityError(`Cannot parse identity "": it is empty`);
  const ip = tryParseIp(text);
  if (ip) return identityOfAddress(ip);
  const hex = text.startsWith("@#")
    ? text.slice(2)
    : text.startsWith("keyid:")
    ? text.slice(6)
    : undefined;
  if (hex !== undefined) {
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) {
      throw new IdentityError(`Cannot parse identity "${text}": key id is not hex`);
    }
    const data = new Uint8Array(hex.length / 2);
    for (let i = 0; i < data.length; i++) data[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return { type: "key-id", data };
  }
  if (text.startsWith("@")) {
    if (text.length === 1) throw new IdentityError(`Cannot parse identity "@": FQDN is empty`);
    return { type: "fqdn", data: enc.encode(text.slice(1)) };
  }
  if (text.includes("@")) return { type: "rfc822", data: enc.encode(text) };
  return { type: "fqdn", data: enc.encode(text) };
}

/** Display text; parses back to the same identity. */
export function formatIdentity(id: Identity): string {
  switch (id.type) {
    case "ipv4":
    case "ipv6":
      if (id.data.length === (id.type === "ipv4" ? 4 : 16)) {
        return formatIp({ family: id.type === "ipv4" ? 4 : 6, bytes: id.data });
      }
      return `(bad ${id.type} identity)`;
    case "fqdn": {
      const s = dec.decode(id.data);
      return s.includes("@") || tryParseIp(s) ? `@${s}` : s;
    }
    case "rfc822":
      return dec.decode(id.data);
    case "key-id":
      return "@#" + [...id.data].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
}

const ID_TYPE_OF_NUMBER = new Map(
  Object.entries(ID_TYPE_NUMBERS).map(([t, n]) => [n, t as IdType]),
);

/** The identity for an ID payload's type number, or undefined for types we do not accept. */
export function identityFromWire(typeNumber: number, data: Uint8Array): Identity | undefined {
  const type = ID_TYPE_OF_NUMBER.get(typeNumber);
  if (type === undefined) return undefined;
  if (type === "ipv4" && data.length !== 4) return undefined;
  if (type === "ipv6" && data.length !== 16) return undefined;
  return { type, data: data.slice() };
}

/** Exact identity equality (type and bytes; FQDN and RFC822 compare case-insensitively). */
export function identityEquals(a: Identity, b: Identity): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "fqdn" || a.type === "rfc822") {
    return dec.decode(a.data).toLowerCase() === dec.decode(b.data).toLowerCase();
  }
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** A stable map key for an identity. */
export function identityKey(id: Identity): string {
  return `${id.type}:${formatIdentity(id).toLowerCase()}`;
}
