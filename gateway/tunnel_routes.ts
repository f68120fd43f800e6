/**
 * Routes into a VRF's policy TUN for policy-based tunnels: the remote
 * traffic selectors of installed CHILD SAs, reference-counted (rekeyed SAs
 * and several CHILD SAs share them), with a preferred source inside the
 * local traffic selector when the VRF has such an address — strongSwan's
 * `src` on its table-220 routes, so traffic the gateway itself originates
 * toward the remote network matches the policy.
 *
 * When a remote selector covers the peer's own outer address (e.g.
 * 0.0.0.0/0), a host route to the peer along its current path is added
 * first, or IKE and ESP themselves would be routed into the tunnel.
 *
 * Route changes are netlink requests (asynchronous) while SA installs are
 * synchronous: every change is queued on one chain, in order, and errors
 * are logged, not thrown (the SA works; only the route is missing).
 *
 * ```
 * ip -n <vrf> route replace 10.102.0.0/24 dev ipsec0 src 10.101.0.1 [table T]
 * ip -n <vrf> route replace 10.200.0.1/32 via <gw> dev wan            (peer inside the TS)
 * ```
 *
 * @module
 */
import { formatIp, formatPrefix, type IpAddress, type IpPrefix } from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import type { Rtnl } from "../kernel/netlink/rtnl.ts";
import { RT_TABLE_MAIN } from "../kernel/netlink/route.ts";

/** An inclusive address range (a traffic selector's addresses). */
export interface Range {
  readonly start: IpAddress;
  readonly end: IpAddress;
}

function toBig(ip: IpAddress): bigint {
  let v = 0n;
  for (const b of ip.bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBig(v: bigint, family: 4 | 6): IpAddress {
  const bytes = new Uint8Array(family === 4 ? 4 : 16);
  for (let i = bytes.length - 1; i >= 0; i--, v >>= 8n) bytes[i] = Number(v & 0xffn);
  return { family, bytes };
}

/** The fewest prefixes covering `r` exactly. */
export function rangeToPrefixes(r: Range): IpPrefix[] {
  const family = r.start.family;
  const bits = family === 4 ? 32 : 128;
  let a = toBig(r.start);
  const b = toBig(r.end);
  const out: IpPrefix[] = [];
  while (a <= b) {
    let k = 0;
    while (k < bits && ((a >> BigInt(k)) & 1n) === 0n && a + (1n << BigInt(k + 1)) - 1n <= b) k++;
    out.push({ address: fromBig(a, family), length: bits - k });
    a += 1n << BigInt(k);
  }
  return out;
}

/** Whether `ip` lies in `r`. */
export function rangeContains(r: Range, ip: IpAddress): boolean {
  if (r.start.family !== ip.family) return false;
  const v = toBig(ip);
  return v >= toBig(r.start) && v <= toBig(r.end);
}

interface Entry {
  refs: number;
}

/** See the module doc. */
export class TunnelRoutes {
  readonly #rtnl: Rtnl;
  readonly #dev: string;
  readonly #table: number;
  readonly #log: Logger;
  readonly #routes = new Map<string, Entry & { prefix: IpPrefix }>();
  readonly #excludes = new Map<string, Entry & { peer: IpAddress }>();
  #chain: Promise<void> = Promise.resolve();

  constructor(rtnl: Rtnl, dev: string, log: Logger, table = RT_TABLE_MAIN) {
    this.#rtnl = rtnl;
    this.#dev = dev;
    this.#log = log;
    this.#table = table;
  }

  #queue(what: string, op: () => Promise<void>): void {
    this.#chain = this.#chain.then(op).catch((e) =>
      this.#log.warn(`Cannot ${what}: ${(e as Error).message}`)
    );
  }

  /** Waits until every queued change is done. */
  settled(): Promise<void> {
    return this.#chain;
  }

  /**
   * Takes a reference on the routes for remote selector `remote` (source
   * chosen inside one of `local`), and on a host route to `peer` when
   * `remote` covers it.
   */
  acquire(remote: Range, local: readonly Range[], peer: IpAddress): void {
    if (rangeContains(remote, peer)) this.#acquireExclude(peer);
    for (const prefix of rangeToPrefixes(remote)) {
      const key = formatPrefix(prefix);
      const e = this.#routes.get(key);
      if (e) {
        e.refs++;
        continue;
      }
      this.#routes.set(key, { refs: 1, prefix });
      this.#queue(`add the route to ${key} via ${this.#dev}`, async () => {
        const src = await this.#sourceIn(local, prefix.address.family);
        await this.#rtnl.routes.replace({
          dst: prefix,
          dev: this.#dev,
          table: this.#table,
          ...(src ? { src } : {}),
        });
        this.#log.control(
          `route ${key} dev ${this.#dev}${src ? ` src ${formatIp(src)}` : ""} installed`,
        );
      });
    }
  }

  /** Drops a reference taken by {@linkcode acquire}; the last one removes the route. */
  release(remote: Range, peer: IpAddress): void {
    if (rangeContains(remote, peer)) this.#releaseExclude(peer);
    for (const prefix of rangeToPrefixes(remote)) {
      const key = formatPrefix(prefix);
      const e = this.#routes.get(key);
      if (!e || --e.refs > 0) continue;
      this.#routes.delete(key);
      this.#queue(`remove the route to ${key}`, async () => {
        await this.#rtnl.routes.del({ dst: prefix, dev: this.#dev, table: this.#table });
        this.#log.control(`route ${key} dev ${this.#dev} removed`);
      });
    }
  }

  #acquireExclude(peer: IpAddress): void {
    const key = formatIp(peer);
    const e = this.#excludes.get(key);
    if (e) {
      e.refs++;
      return;
    }
    this.#excludes.set(key, { refs: 1, peer });
    this.#queue(`add a host route to peer ${key}`, async () => {
      const via = await this.#rtnl.routes.lookup(peer);
      const tun = await this.#rtnl.links.find(this.#dev);
      if (via.oif === undefined || via.oif === tun?.index) return;
      await this.#rtnl.routes.replace({
        dst: { address: peer, length: peer.family === 4 ? 32 : 128 },
        dev: via.oif,
        table: this.#table,
        ...(via.gateway ? { gateway: via.gateway } : {}),
      });
      this.#log.control(`host route to peer ${key} kept outside the tunnel`);
    });
  }

  #releaseExclude(peer: IpAddress): void {
    const key = formatIp(peer);
    const e = this.#excludes.get(key);
    if (!e || --e.refs > 0) return;
    this.#excludes.delete(key);
    this.#queue(`remove the host route to peer ${key}`, async () => {
      const length = peer.family === 4 ? 32 : 128;
      await this.#rtnl.routes.del({ dst: { address: peer, length }, table: this.#table });
    });
  }

  /** An address of the VRF inside one of `local` (family `family`), if any. */
  async #sourceIn(local: readonly Range[], family: 4 | 6): Promise<IpAddress | undefined> {
    const addrs = await this.#rtnl.addrs.list({ family });
    for (const a of addrs) {
      if (local.some((r) => rangeContains(r, a.address.address))) return a.address.address;
    }
    return undefined;
  }

  /** Removes every route this object added (shutdown), then waits for the queue. */
  async clear(): Promise<void> {
    for (const e of [...this.#excludes.values()]) {
      e.refs = 1;
      this.#releaseExclude(e.peer);
    }
    for (const [key, e] of [...this.#routes]) {
      this.#routes.delete(key);
      this.#queue(
        `remove the route to ${key}`,
        () => this.#rtnl.routes.del({ dst: e.prefix, dev: this.#dev, table: this.#table }),
      );
    }
    await this.settled();
  }
}
