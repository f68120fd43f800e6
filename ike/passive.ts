/**
 * HA mirroring: IKE and CHILD SAs created from records (`events.ts`) in the
 * `passive` state — installed in the dataplane, but sending nothing and
 * running no timers — and their activation on takeover (timers re-armed
 * from the records' absolute times, optionally an RFC 6311 message ID
 * sync), or demotion back to passive.
 *
 * @module
 */
import type { ChildSa } from "./child_sa.ts";
import type { Engine } from "./engine.ts";
import type { ChildSaRecord, IkeSaRecord, IkeSaRef } from "./events.ts";
import { armChild, armIke } from "./lifecycle.ts";
import { fromWall } from "./records.ts";
import type { SaRuntime } from "./sa_runtime.ts";
import { spiHex } from "./spi.ts";
import { ikeCrypto, ikeSuite } from "./suite.ts";
import { IkeMidSync } from "./tasks/ike_mid_sync.ts";

const same = (a: Uint8Array, b: Uint8Array) => spiHex(a) === spiHex(b);

/** The runtime of the SA `ref` names. */
export function findRuntime(
  engine: Engine,
  ref: { spiI: Uint8Array; spiR: Uint8Array },
): SaRuntime | undefined {
  return engine.runtimes().find((rt) => same(rt.sa.spiI, ref.spiI) && same(rt.sa.spiR, ref.spiR));
}

/** Creates or refreshes a passive IKE SA from a record; false if its VPN is unknown here. */
export function importIkeSa(engine: Engine, rec: IkeSaRecord): boolean {
  const vpn = rec.vpn !== undefined ? engine.vpns.get(rec.vpn) : undefined;
  if (!vpn || !rec.keys || !rec.proposal) return false;
  let rt = findRuntime(engine, rec);
  if (rt && rt.sa.state !== "passive") return false;
  const clock = engine.ports.clock;
  if (!rt) {
    const sa = engine.newSa(rec.initiator, rec.spiI.slice(), rec.local, rec.remote);
    sa.spiR = rec.spiR.slice();
    sa.vpn = vpn;
    sa.proposal = rec.proposal;
    const k = rec.keys;
    sa.keys = {
      skD: k.skD.slice(),
      skAi: k.skAi.slice(),
      skAr: k.skAr.slice(),
      skEi: k.skEi.slice(),
      skEr: k.skEr.slice(),
      skPi: k.skPi.slice(),
      skPr: k.skPr.slice(),
    };
    sa.crypto = ikeCrypto(ikeSuite(rec.proposal), sa.keys, rec.initiator);
    rt = engine.register(sa);
    rt.tasks.setPassive(true);
    sa.machine.set("passive");
  }
  const sa = rt.sa;
  sa.local = rec.local;
  sa.remote = rec.remote;
  sa.nat = { ...rec.nat };
  sa.localId = rec.localId;
  sa.remoteId = rec.remoteId;
  sa.peer = { ...rec.peer };
  sa.localVips = [...rec.localVips];
  sa.remoteVips = [...rec.remoteVips];
  sa.establishedAt = fromWall(clock, rec.establishedAt);
  sa.rekeyAt = fromWall(clock, rec.rekeyAt);
  sa.reauthAt = fromWall(clock, rec.reauthAt);
  sa.expireAt = fromWall(clock, rec.expireAt);
  rt.tasks.nextSend = rec.nextSend;
  rt.tasks.expectRecv = rec.expectRecv;
  return true;
}

/** Updates the message IDs of a passive SA. */
export function updateMids(
  engine: Engine,
  ref: IkeSaRef,
  nextSend: number,
  expectRecv: number,
): boolean {
  const rt = findRuntime(engine, ref);
  if (!rt || rt.sa.state !== "passive") return false;
  rt.tasks.nextSend = nextSend;
  rt.tasks.expectRecv = expectRecv;
  return true;
}

/** Creates a passive CHILD SA (installed in the dataplane) from a record. */
export function importChildSa(engine: Engine, rec: ChildSaRecord): boolean {
  const rt = findRuntime(engine, { spiI: rec.ikeSpiI, spiR: rec.ikeSpiR });
  const config = rt?.sa.vpn?.children.find((c) => c.name === rec.name);
  if (!rt || !config || rt.sa.state !== "passive") return false;
  if (rt.sa.children.some((c) => c.spiIn === rec.spiIn)) return true;
  const clock = engine.ports.clock;
  const child: ChildSa = engine.newChild(rt, config, rec.spiIn);
  child.spiOut = rec.spiOut;
  child.proposal = rec.proposal;
  child.mode = rec.mode;
  child.encap = rec.encap;
  child.localTs = [...rec.localTs];
  child.remoteTs = [...rec.remoteTs];
  child.keys = {
    encIn: rec.encIn.slice(),
    encOut: rec.encOut.slice(),
    integIn: rec.integIn?.slice(),
    integOut: rec.integOut?.slice(),
  };
  child.createdByUs = rec.createdByUs;
  child.installedAt = fromWall(clock, rec.installedAt);
  child.rekeyAt = fromWall(clock, rec.rekeyAt);
  child.expireAt = fromWall(clock, rec.expireAt);
  return engine.installChild(rt, child, undefined, true);
}

/** Moves a passive CHILD SA to another passive IKE SA (the active node rekeyed the IKE SA). */
export function movePassiveChild(engine: Engine, spiIn: number, to: IkeSaRef): boolean {
  const target = findRuntime(engine, to);
  if (!target || target.sa.state !== "passive") return false;
  for (const rt of engine.runtimes()) {
    if (rt.sa.state !== "passive" || rt === target) continue;
    const c = rt.sa.children.find((x) => x.spiIn === spiIn);
    if (!c) continue;
    engine.moveChild(rt, c, target);
    return true;
  }
  return false;
}

/** Makes passive SAs active: timers armed from their records, MID sync if asked and supported. */
export function activate(engine: Engine, rts: readonly SaRuntime[], midSync: boolean): number {
  let n = 0;
  for (const rt of rts) {
    const { sa } = rt;
    if (sa.state !== "passive") continue;
    sa.machine.set("established");
    rt.tasks.setPassive(false);
    for (const c of sa.children) {
      if (c.state !== "passive") continue;
      c.machine.set("installed");
      armChild(rt, c, c.rekeyAt === undefined);
    }
    armIke(rt, sa.rekeyAt === undefined);
    if (midSync && sa.peer.midSync) rt.tasks.queue(new IkeMidSync(rt, true));
    engine.ports.log.ike.audit(`IKE SA ${sa.vpn?.name}[${sa.uid}] activated`);
    engine.updated(rt);
    n++;
  }
  return n;
}

/** Turns active SAs passive (HA demotion): no timers, no exchanges. */
export function deactivate(rts: readonly SaRuntime[]): number {
  let n = 0;
  for (const rt of rts) {
    const { sa } = rt;
    if (sa.state !== "established" && sa.state !== "rekeying" && sa.state !== "rekeyed") continue;
    rt.tasks.flush("passive");
    rt.tasks.setPassive(true);
    sa.timers.cancelAll();
    sa.machine.set("passive");
    for (const c of sa.children) {
      c.timers.cancelAll();
      if (c.state === "installed" || c.state === "rekeying" || c.state === "rekeyed") {
        c.machine.set("passive");
      }
    }
    n++;
  }
  return n;
}
