/**
 * What `show ike ike-sa` and `show ike child-sa` display, as plain values:
 * one row per IKE SA and per CHILD SA, traffic counters read from the
 * dataplane. Times are wall-clock milliseconds.
 *
 * @module
 */
import type { IpAddress } from "../core/ip.ts";
import type { ChildMode } from "./config.ts";
import type { Engine } from "./engine.ts";
import { formatIdentity } from "./identity.ts";
import type { Endpoint } from "./ports.ts";
import { formatChosen } from "./proposal.ts";
import { toWall } from "./records.ts";
import { spiHex } from "./spi.ts";
import type { ChildSaState, IkeSaState } from "./state.ts";
import { formatTs } from "./ts.ts";

export interface IkeSaInfo {
  readonly uid: number;
  /** VPN name, `(unknown)` before IKE_AUTH tells which. */
  readonly vpn: string;
  readonly state: IkeSaState;
  readonly initiator: boolean;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly localId: string;
  readonly remoteId: string;
  readonly spiI: string;
  readonly spiR: string;
  readonly natLocal: boolean;
  readonly natRemote: boolean;
  readonly algorithms: string;
  readonly established: number | undefined;
  readonly rekeyAt: number | undefined;
  readonly reauthAt: number | undefined;
  readonly expireAt: number | undefined;
  readonly childSas: number;
  readonly localVips: readonly IpAddress[];
  readonly remoteVips: readonly IpAddress[];
  readonly nextSend: number;
  readonly expectRecv: number;
}

export interface ChildSaInfo {
  readonly uid: number;
  readonly ikeUid: number;
  readonly vpn: string;
  readonly name: string;
  readonly state: ChildSaState;
  readonly spiIn: string;
  readonly spiOut: string;
  readonly mode: ChildMode;
  readonly encap: boolean;
  readonly algorithms: string;
  readonly localTs: readonly string[];
  readonly remoteTs: readonly string[];
  readonly bytesIn: number;
  readonly packetsIn: number;
  readonly bytesOut: number;
  readonly packetsOut: number;
  readonly seqOut: bigint;
  readonly seqIn: bigint;
  readonly replayWindow: number;
  readonly installed: number | undefined;
  readonly rekeyAt: number | undefined;
  readonly expireAt: number | undefined;
}

export function listIkeSas(engine: Engine): IkeSaInfo[] {
  const clock = engine.ports.clock;
  return engine.runtimes().map(({ sa, tasks }) => ({
    uid: sa.uid,
    vpn: sa.vpn?.name ?? "(unknown)",
    state: sa.state,
    initiator: sa.initiator,
    local: sa.local,
    remote: sa.remote,
    localId: sa.localId ? formatIdentity(sa.localId) : "",
    remoteId: sa.remoteId ? formatIdentity(sa.remoteId) : "",
    spiI: spiHex(sa.spiI),
    spiR: spiHex(sa.spiR),
    natLocal: sa.nat.local,
    natRemote: sa.nat.remote,
    algorithms: sa.proposal ? formatChosen(sa.proposal) : "",
    established: toWall(clock, sa.establishedAt),
    rekeyAt: toWall(clock, sa.rekeyAt),
    reauthAt: toWall(clock, sa.reauthAt),
    expireAt: toWall(clock, sa.expireAt),
    childSas: sa.children.length,
    localVips: sa.localVips,
    remoteVips: sa.remoteVips.map((v) => v.address),
    nextSend: tasks.nextSend,
    expectRecv: tasks.expectRecv,
  }));
}

export function listChildSas(engine: Engine): ChildSaInfo[] {
  const clock = engine.ports.clock;
  const hex32 = (n: number) => n.toString(16).padStart(8, "0");
  return engine.runtimes().flatMap(({ sa }) =>
    sa.children.map((c) => {
      const k = engine.ports.dataplane.counters(c.id);
      return {
        uid: c.uid,
        ikeUid: sa.uid,
        vpn: sa.vpn?.name ?? "(unknown)",
        name: c.config.name,
        state: c.state,
        spiIn: hex32(c.spiIn),
        spiOut: hex32(c.spiOut),
        mode: c.mode,
        encap: c.encap,
        algorithms: c.proposal ? formatChosen(c.proposal) : "",
        localTs: c.localTs.map(formatTs),
        remoteTs: c.remoteTs.map(formatTs),
        bytesIn: k?.bytesIn ?? 0,
        packetsIn: k?.packetsIn ?? 0,
        bytesOut: k?.bytesOut ?? 0,
        packetsOut: k?.packetsOut ?? 0,
        seqOut: k?.seqOut ?? 0n,
        seqIn: k?.seqIn ?? 0n,
        replayWindow: c.config.replayWindow,
        installed: toWall(clock, c.installedAt),
        rekeyAt: toWall(clock, c.rekeyAt),
        expireAt: toWall(clock, c.expireAt),
      };
    })
  );
}
