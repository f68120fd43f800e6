/**
 * The value types of configuration leaves: integers with ranges, booleans,
 * enumerations (with aliases), names, host names, IKE identities, and the
 * IP forms of `core/ip.ts` (addresses, prefixes, interface addresses,
 * netmasks). Each parses CLI text into one canonical value, so that two
 * spellings of the same value compare equal and print the same.
 *
 * @module
 */
import {
  type Family,
  formatIp,
  formatPrefix,
  IpParseError,
  lastAddress,
  networkOf,
  parseInterfaceAddress,
  parsePrefix,
  tryParseIp,
} from "../core/ip.ts";
import type { ParseResult, ValueType } from "./schema.ts";
import { didYouMean } from "./suggest.ts";

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const bad = <T>(reason: string): ParseResult<T> => ({ ok: false, reason });

/** An integer in `min..max`, optionally a multiple of `step`. */
export function int(min: number, max: number, opts: { step?: number } = {}): ValueType<number> {
  return {
    syntax: `<${min}-${max}>`,
    parse(text) {
      if (!/^-?[0-9]+$/.test(text)) return bad(`"${text}" is not an integer`);
      const v = Number(text);
      if (!Number.isSafeInteger(v) || v < min || v > max) {
        return bad(`${text} is out of range ${min}..${max}`);
      }
      if (opts.step && v % opts.step !== 0) return bad(`${text} is not a multiple of ${opts.step}`);
      return ok(v);
    },
    format: (v) => String(v),
  };
}

/** `true` or `false`. */
export const bool: ValueType<boolean> = {
  syntax: "<true|false>",
  values: ["true", "false"],
  parse(text) {
    if (text === "true") return ok(true);
    if (text === "false") return ok(false);
    return bad(`"${text}" is not true or false`);
  },
  format: (v) => (v ? "true" : "false"),
};

/**
 * One of `values`. `aliases` map other spellings to a value (e.g. `x25519`
 * to `curve25519`); `what` names the kind of value in errors.
 */
export function enumeration<V extends string>(
  values: readonly V[],
  what: string,
  aliases: Readonly<Record<string, V>> = {},
): ValueType<V> {
  const set = new Set<string>(values);
  return {
    syntax: `<${what}>`,
    values,
    parse(text) {
      if (set.has(text)) return ok(text as V);
      const alias = aliases[text];
      if (alias !== undefined) return ok(alias);
      return bad(`"${text}" is not a known ${what}${didYouMean(text, values)}`);
    },
    format: (v) => v,
  };
}

function pattern(syntax: string, re: RegExp, what: string, maxLength: number): ValueType<string> {
  return {
    syntax,
    parse(text) {
      if (text.length > maxLength) return bad(`"${text}" is longer than ${maxLength} characters`);
      return re.test(text) ? ok(text) : bad(`"${text}" is not a valid ${what}`);
    },
    format: (v) => v,
  };
}

/** A name of a configuration object (VRF, template, vpn, group, pool…). */
export const name: ValueType<string> = pattern(
  "<name>",
  /^[A-Za-z0-9_][A-Za-z0-9_.@:-]*$/,
  "name (letters, digits, _ . @ : -)",
  63,
);

/** A network interface name: it becomes a Linux link name (IFNAMSIZ - 1 = 15 bytes). */
export const interfaceName: ValueType<string> = pattern(
  "<ifname>",
  /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/,
  "interface name (letters, digits, _ . -)",
  15,
);

/** A host name (RFC 1123 §2.1 labels). */
export const hostname: ValueType<string> = pattern(
  "<hostname>",
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
  "host name",
  253,
);

/** Free text without spaces (a port identifier such as `pci-b0s3`). */
export const word: ValueType<string> = pattern("<word>", /^\S+$/, "word", 255);

/**
 * An IKE identity (RFC 7296 §3.5): an IP address (canonicalized), a FQDN,
 * an RFC 822 address such as `primary@ha`, or any other text.
 */
export const identity: ValueType<string> = {
  syntax: "<id>",
  parse(text) {
    if (text.length === 0 || text.length > 255) return bad(`"${text}" is not a valid identity`);
    const ip = tryParseIp(text);
    return ok(ip ? formatIp(ip) : text);
  },
  format: (v) => v,
};

function reasonOf(e: unknown): string {
  if (e instanceof IpParseError) {
    const i = e.message.indexOf(": ");
    return i >= 0 ? e.message.slice(i + 2) : e.message;
  }
  throw e;
}

const familyName = (f: Family | undefined) =>
  f === 4 ? "IPv4 " : f === 6 ? "IPv6 " : "IPv4 or IPv6 ";

/** An address of one family, or of either. */
export function ipAddress(family?: Family): ValueType<string> {
  return {
    syntax: family === 4 ? "<A.B.C.D>" : family === 6 ? "<X:X::X:X>" : "<A.B.C.D|X:X::X:X>",
    parse(text) {
      const ip = tryParseIp(text);
      if (!ip || (family && ip.family !== family)) {
        return bad(`"${text}" is not an ${familyName(family)}address`);
      }
      return ok(formatIp(ip));
    },
    format: (v) => v,
  };
}

/** A network prefix with host bits zero (routes, selectors, pools). */
export function ipPrefix(family?: Family): ValueType<string> {
  return {
    syntax: family === 4 ? "<A.B.C.D/M>" : family === 6 ? "<X:X::X:X/M>" : "<prefix/M>",
    parse(text) {
      try {
        const p = parsePrefix(text, true);
        if (family && p.address.family !== family) {
          return bad(`"${text}" is not an ${familyName(family)}prefix`);
        }
        return ok(formatPrefix(p));
      } catch (e) {
        return bad(`"${text}" is not a valid prefix: ${reasonOf(e)}`);
      }
    },
    format: (v) => v,
  };
}

/**
 * An interface address `addr/len` (host bits kept). IPv4 addresses in
 * subnets longer than /31 may not be the network or broadcast address.
 */
export function interfaceAddress(family?: Family): ValueType<string> {
  return {
    syntax: family === 4 ? "<A.B.C.D/M>" : family === 6 ? "<X:X::X:X/M>" : "<address/M>",
    parse(text) {
      try {
        const a = parseInterfaceAddress(text);
        if (family && a.address.family !== family) {
          return bad(`"${text}" is not an ${familyName(family)}address`);
        }
        if (a.address.family === 4 && a.length < 31) {
          const net = networkOf(a);
          if (formatIp(net.address) === formatIp(a.address)) {
            return bad(`${text} is the network address of its subnet`);
          }
          if (formatIp(lastAddress(net)) === formatIp(a.address)) {
            return bad(`${text} is the broadcast address of its subnet`);
          }
        }
        return ok(formatPrefix(a));
      } catch (e) {
        return bad(`"${text}" is not a valid address/length: ${reasonOf(e)}`);
      }
    },
    format: (v) => v,
  };
}

/** An IPv4 netmask in dotted form, contiguous ones then zeros. */
export const netmask: ValueType<string> = {
  syntax: "<A.B.C.D>",
  parse(text) {
    const ip = tryParseIp(text);
    if (!ip || ip.family !== 4) return bad(`"${text}" is not an IPv4 netmask`);
    const v = ((ip.bytes[0]! << 24) | (ip.bytes[1]! << 16) | (ip.bytes[2]! << 8) | ip.bytes[3]!) >>>
      0;
    const inv = (~v) >>> 0;
    if ((inv & (inv + 1)) !== 0) return bad(`${text} is not a contiguous netmask`);
    return ok(formatIp(ip));
  },
  format: (v) => v,
};

const PROTOCOLS: Readonly<Record<string, number>> = {
  icmp: 1,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  sctp: 132,
};

/** An IP protocol number (0..255); common names are accepted and stored as numbers. */
export const protocol: ValueType<number> = {
  syntax: "<0-255|tcp|udp|…>",
  values: Object.keys(PROTOCOLS),
  parse(text) {
    const named = PROTOCOLS[text];
    if (named !== undefined) return ok(named);
    if (!/^[0-9]+$/.test(text)) {
      return bad(
        `"${text}" is not a protocol number or name${didYouMean(text, Object.keys(PROTOCOLS))}`,
      );
    }
    const v = Number(text);
    return v <= 255 ? ok(v) : bad(`${text} is out of range 0..255`);
  },
  format: (v) => String(v),
};
