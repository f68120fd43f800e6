/**
 * SA ⇄ record conversion for HA (see `events.ts` for what records carry).
 * Times travel as wall-clock milliseconds and come back as this node's
 * monotonic clock readings.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { ChildSa } from "./child_sa.ts";
import type { ChildSaRecord, IkeSaRecord, IkeSaRef } from "./events.ts";
import type { IkeSa } from "./ike_sa.ts";

const copy = (b: Uint8Array) => b.slice();

/** A monotonic time as wall-clock ms. */
export function toWall(clock: Clock, t: number | undefined): number | undefined {
  return t === undefined ? undefined : clock.wallNow() + (t - clock.now());
}

/** A wall-clock ms as a monotonic time of this clock. */
export function fromWall(clock: Clock, t: number | undefined): number | undefined {
  return t === undefined ? undefined : clock.now() + (t - clock.wallNow());
}

export function ikeRef(sa: IkeSa): IkeSaRef {
  return { vpn: sa.vpn?.name, spiI: copy(sa.spiI), spiR: copy(sa.spiR) };
}

export function ikeRecord(
  clock: Clock,
  sa: IkeSa,
  ids: { nextSend: number; expectRecv: number },
): IkeSaRecord {
  const k = sa.keys;
  return {
    vpn: sa.vpn?.name,
    initiator: sa.initiator,
    spiI: copy(sa.spiI),
    spiR: copy(sa.spiR),
    local: sa.local,
    remote: sa.remote,
    nat: { ...sa.nat },
    localId: sa.localId,
    remoteId: sa.remoteId,
    proposal: sa.proposal,
    keys: k && {
      skD: copy(k.skD),
      skAi: copy(k.skAi),
      skAr: copy(k.skAr),
      skEi: copy(k.skEi),
      skEr: copy(k.skEr),
      skPi: copy(k.skPi),
      skPr: copy(k.skPr),
    },
    peer: { ...sa.peer },
    localVips: [...sa.localVips],
    remoteVips: [...sa.remoteVips],
    nextSend: ids.nextSend,
    expectRecv: ids.expectRecv,
    state: sa.state,
    establishedAt: toWall(clock, sa.establishedAt),
    rekeyAt: toWall(clock, sa.rekeyAt),
    reauthAt: toWall(clock, sa.reauthAt),
    expireAt: toWall(clock, sa.expireAt),
  };
}

export function childRecord(clock: Clock, sa: IkeSa, c: ChildSa): ChildSaRecord {
  const k = c.keys!;
  return {
    ikeSpiI: copy(sa.spiI),
    ikeSpiR: copy(sa.spiR),
    vpn: sa.vpn!.name,
    name: c.config.name,
    spiIn: c.spiIn,
    spiOut: c.spiOut,
    proposal: c.proposal!,
    mode: c.mode,
    encap: c.encap,
    localTs: [...c.localTs],
    remoteTs: [...c.remoteTs],
    encIn: copy(k.encIn),
    integIn: k.integIn && copy(k.integIn),
    encOut: copy(k.encOut),
    integOut: k.integOut && copy(k.integOut),
    createdByUs: c.createdByUs,
    state: c.state,
    installedAt: toWall(clock, c.installedAt),
    rekeyAt: toWall(clock, c.rekeyAt),
    expireAt: toWall(clock, c.expireAt),
  };
}
