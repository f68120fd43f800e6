/**
 * A simple in-memory virtual IP pool over one subnet (the reference's
 * `vip-pool` with an `address` prefix), implementing the engine's
 * {@linkcode VipPool} port. A peer identity keeps its address while it has
 * a lease and gets the same one back if it asks again (strongSwan's
 * behaviour for reconnecting clients); the network and, for IPv4, the
 * broadcast address are never handed out.
 *
 * @module
 */
import {
  compareIp,
  formatIp,
  type IpAddress,
  type IpPrefix,
  lastAddress,
  prefixContains,
} from "../core/ip.ts";
import { type Identity, identityKey } from "./identity.ts";
import type { VipAttributes, VipPool } from "./ports.ts";

function addOffset(base: IpAddress, offset: bigint): IpAddress {
  const out = base.bytes.slice();
  let carry = offset;
  for (let i = out.length - 1; i >= 0 && carry > 0n; i--) {
    const v = BigInt(out[i]!) + (carry & 0xffn);
    out[i] = Number(v & 0xffn);
    carry = (carry >> 8n) + (v >> 8n);
  }
  return { family: base.family, bytes: out };
}

function offsetOf(base: IpAddress, ip: IpAddress): bigint {
  let d = 0n;
  for (let i = 0; i < ip.bytes.length; i++) d = (d << 8n) + BigInt(ip.bytes[i]! - base.bytes[i]!);
  return d;
}

export class SubnetPool implements VipPool {
  readonly #byPeer = new Map<string, IpAddress>();
  readonly #used = new Map<string, string>();
  readonly #first: bigint;
  readonly #last: bigint;

  constructor(
    readonly name: string,
    readonly prefix: IpPrefix,
    readonly attributes: VipAttributes = { dns: [], nbns: [], dhcp: [], subnets: [] },
  ) {
    const hostBits = (prefix.address.family === 4 ? 32 : 128) - prefix.length;
    const size = 1n << BigInt(hostBits);
    // Skip the network address; for IPv4 also the broadcast address (from /30 on).
    this.#first = size > 2n ? 1n : 0n;
    this.#last = size > 2n && prefix.address.family === 4 ? size - 2n : size - 1n;
  }

  /** Number of addresses in use. */
  get size(): number {
    return this.#used.size;
  }

  allocate(peer: Identity, family: 4 | 6, requested?: IpAddress): IpAddress | undefined {
    if (family !== this.prefix.address.family) return undefined;
    const key = identityKey(peer);
    const had = this.#byPeer.get(key);
    if (had) return had;
    const take = (ip: IpAddress) => {
      this.#byPeer.set(key, ip);
      this.#used.set(formatIp(ip), key);
      return ip;
    };
    if (requested && this.#free(requested)) return take(requested);
    for (let o = this.#first; o <= this.#last; o++) {
      const ip = addOffset(this.prefix.address, o);
      if (!this.#used.has(formatIp(ip))) return take(ip);
    }
    return undefined;
  }

  #free(ip: IpAddress): boolean {
    if (!prefixContains(this.prefix, ip) || this.#used.has(formatIp(ip))) return false;
    const o = offsetOf(this.prefix.address, ip);
    return o >= this.#first && o <= this.#last && compareIp(ip, lastAddress(this.prefix)) <= 0;
  }

  release(peer: Identity, address: IpAddress): void {
    const key = identityKey(peer);
    const had = this.#byPeer.get(key);
    if (!had || compareIp(had, address) !== 0) return;
    this.#byPeer.delete(key);
    this.#used.delete(formatIp(address));
  }

  lookup(peer: Identity): IpAddress[] {
    const had = this.#byPeer.get(identityKey(peer));
    return had ? [had] : [];
  }
}
