/**
 * The Security Association Database of one VRF (RFC 4301 §4.4.2). Inbound
 * SAs are found by SPI and our (destination) address, as RFC 4301 §4.1
 * allows for unicast SAs and strongSwan does; a datagram whose destination
 * is unknown (a socket bound to a wildcard address) is matched by SPI alone.
 * Outbound SAs are found by the `reqid` a protect policy names, or by the
 * interface id of a route-based (SVTI) tunnel. Several outbound SAs may
 * share a handle while a CHILD SA is rekeyed: the one installed last is used
 * (RFC 7296 §2.8: the new SA carries traffic once it exists), and removing it
 * falls back to the previous one.
 *
 * Every lookup is one Map access plus at most a short chain.
 *
 * @module
 */
import type { SecurityAssociation } from "./sa.ts";

/** Thrown when an SA cannot be added (duplicate SPI and address). */
export class SadError extends Error {
  override name = "SadError";
}

function sameAddress(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Outbound SAs by handle: the current one is the last of the list. */
class OutboundTable {
  #byKey = new Map<number, SecurityAssociation[]>();

  add(key: number, sa: SecurityAssociation): void {
    const list = this.#byKey.get(key);
    if (list) list.push(sa);
    else this.#byKey.set(key, [sa]);
  }

  remove(key: number, sa: SecurityAssociation): void {
    const list = this.#byKey.get(key);
    if (!list) return;
    const i = list.indexOf(sa);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#byKey.delete(key);
  }

  current(key: number): SecurityAssociation | undefined {
    const list = this.#byKey.get(key);
    return list === undefined ? undefined : list[list.length - 1];
  }
}

export class Sad {
  #in = new Map<number, SecurityAssociation>();
  #outByReqid = new OutboundTable();
  #outByIface = new OutboundTable();
  #all = new Set<SecurityAssociation>();

  get size(): number {
    return this.#all.size;
  }

  /** Every installed SA. */
  [Symbol.iterator](): IterableIterator<SecurityAssociation> {
    return this.#all.values();
  }

  /** Installs `sa`; an inbound SA must not repeat an (SPI, local address) pair. */
  add(sa: SecurityAssociation): void {
    if (sa.direction === "in") {
      const head = this.#in.get(sa.spi);
      for (let s = head; s !== undefined; s = s.nextSameSpi) {
        if (sameAddress(s.local.bytes, sa.local.bytes)) {
          throw new SadError(
            `Cannot install SA 0x${
              sa.spi.toString(16)
            }: an inbound SA with this SPI and address exists`,
          );
        }
      }
      sa.nextSameSpi = head;
      this.#in.set(sa.spi, sa);
    } else {
      if (sa.reqid !== undefined) this.#outByReqid.add(sa.reqid, sa);
      if (sa.ifaceId !== undefined) this.#outByIface.add(sa.ifaceId, sa);
    }
    this.#all.add(sa);
  }

  /** Uninstalls `sa` (it is not destroyed here); false when it was not installed. */
  remove(sa: SecurityAssociation): boolean {
    if (!this.#all.delete(sa)) return false;
    if (sa.direction === "in") {
      let prev: SecurityAssociation | undefined;
      for (let s = this.#in.get(sa.spi); s !== undefined; prev = s, s = s.nextSameSpi) {
        if (s !== sa) continue;
        if (prev) prev.nextSameSpi = s.nextSameSpi;
        else if (s.nextSameSpi) this.#in.set(sa.spi, s.nextSameSpi);
        else this.#in.delete(sa.spi);
        break;
      }
      sa.nextSameSpi = undefined;
    } else {
      if (sa.reqid !== undefined) this.#outByReqid.remove(sa.reqid, sa);
      if (sa.ifaceId !== undefined) this.#outByIface.remove(sa.ifaceId, sa);
    }
    return true;
  }

  /** The inbound SA for `spi` and our address `dst` (4 or 16 bytes), or by SPI alone when `dst` is null. */
  inbound(spi: number, dst: Uint8Array | null): SecurityAssociation | undefined {
    const head = this.#in.get(spi);
    if (head === undefined || dst === null) return head;
    for (let s: SecurityAssociation | undefined = head; s !== undefined; s = s.nextSameSpi) {
      if (sameAddress(s.local.bytes, dst)) return s;
    }
    return undefined;
  }

  /** The outbound SA a protect policy with `reqid` uses now. */
  outboundByReqid(reqid: number): SecurityAssociation | undefined {
    return this.#outByReqid.current(reqid);
  }

  /** The outbound SA of the route-based tunnel with interface id `ifaceId`. */
  outboundByIface(ifaceId: number): SecurityAssociation | undefined {
    return this.#outByIface.current(ifaceId);
  }

  /** An SA by direction and SPI (control path: linear over outbound SAs). */
  find(direction: "in" | "out", spi: number): SecurityAssociation | undefined {
    if (direction === "in") return this.#in.get(spi);
    for (const sa of this.#all) if (sa.direction === "out" && sa.spi === spi) return sa;
    return undefined;
  }
}
