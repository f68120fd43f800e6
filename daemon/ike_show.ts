/**
 * The data and text of `show ike … ike-sa`, `show ike … child-sa`,
 * `show ike … ike-sa-count` and `show ipsec … counters`, from the gateways'
 * listings (`ike/listing.ts`) and counters.
 *
 * `ike-sa` prints the reference's table (`VPN Local-Addr Local-ID
 * Remote-Addr Remote-ID State Child-SAs`; without `vrf`, a VRF column
 * first), then one block per SA: role, SPIs, algorithms, NAT, times.
 * `child-sa` prints a table of policies, SPIs and selectors, then one
 * block per CHILD SA: algorithms, encapsulation, traffic and sequence
 * numbers each way, replay window, times. Times in the text are relative
 * (`12s ago`, `in 1h59m`); in `--json` they are ISO 8601.
 *
 * @module
 */
import { formatIp } from "../core/ip.ts";
import type { GatewayCounters } from "../gateway/vrf_gateway.ts";
import type { ChildSaInfo, IkeSaInfo } from "../ike/listing.ts";
import { table } from "./views.ts";

/** Times as ISO 8601 text (null: not set). */
type Times<K extends string> = { readonly [P in K]: string | null };

type IkeTimes = "established" | "rekeyAt" | "reauthAt" | "expireAt";

/**
 * One IKE SA as `show ike ike-sa` reports it: the engine's listing with
 * its VRF, addresses as text and times as ISO 8601.
 */
export type IkeSaShow =
  & Omit<IkeSaInfo, "local" | "remote" | "localVips" | "remoteVips" | IkeTimes>
  & Times<IkeTimes>
  & {
    readonly vrf: string;
    readonly localAddress: string;
    readonly localPort: number;
    readonly remoteAddress: string;
    readonly remotePort: number;
    readonly localVips: readonly string[];
    readonly remoteVips: readonly string[];
  };

type ChildTimes = "installed" | "rekeyAt" | "expireAt";

/**
 * One CHILD SA as `show ike child-sa` reports it: the engine's listing with
 * its VRF, sequence numbers as numbers (`seqIn` the highest accepted,
 * `seqOut` the next to send) and times as ISO 8601.
 */
export type ChildSaShow =
  & Omit<ChildSaInfo, "seqIn" | "seqOut" | ChildTimes>
  & Times<ChildTimes>
  & { readonly vrf: string; readonly seqIn: number; readonly seqOut: number };

/** `show ike … ike-sa-count`: one row per VRF. */
export interface IkeSaCount {
  readonly vrf: string;
  readonly ikeSas: number;
  readonly halfOpen: number;
  readonly childSas: number;
  readonly passive: number;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function ikeSaShow(vrf: string, s: IkeSaInfo): IkeSaShow {
  const {
    local,
    remote,
    localVips,
    remoteVips,
    established,
    rekeyAt,
    reauthAt,
    expireAt,
    ...rest
  } = s;
  return {
    vrf,
    ...rest,
    localAddress: formatIp(local.address),
    localPort: local.port,
    remoteAddress: formatIp(remote.address),
    remotePort: remote.port,
    localVips: localVips.map(formatIp),
    remoteVips: remoteVips.map(formatIp),
    established: iso(established),
    rekeyAt: iso(rekeyAt),
    reauthAt: iso(reauthAt),
    expireAt: iso(expireAt),
  };
}

export function childSaShow(vrf: string, c: ChildSaInfo): ChildSaShow {
  const { seqIn, seqOut, installed, rekeyAt, expireAt, ...rest } = c;
  return {
    vrf,
    ...rest,
    seqIn: Number(seqIn),
    seqOut: Number(seqOut),
    installed: iso(installed),
    rekeyAt: iso(rekeyAt),
    expireAt: iso(expireAt),
  };
}

/** `1h59m`, `3m20s`, `12s`. */
export function formatSpan(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** `12s ago` / `in 1h59m` of an ISO time, seen at `now` (wall ms). */
export function relative(when: string | null, now: number): string {
  if (when === null) return "-";
  const t = Date.parse(when);
  return t <= now ? `${formatSpan(now - t)} ago` : `in ${formatSpan(t - now)}`;
}

/** A table whose rows start with a VRF column when `showVrf`. */
function vrfTable<T extends { readonly vrf: string }>(
  showVrf: boolean,
  head: readonly string[],
  list: readonly T[],
  row: (x: T) => string[],
): string {
  return showVrf
    ? table(["VRF", ...head], list.map((x) => [x.vrf, ...row(x)]))
    : table(head, list.map(row));
}

/** The text of `show ike ike-sa`. */
export function renderIkeSas(sas: readonly IkeSaShow[], showVrf: boolean, now: number): string {
  if (sas.length === 0) return "no IKE SA\n";
  const head = ["VPN", "Local-Addr", "Local-ID", "Remote-Addr", "Remote-ID", "State", "Child-SAs"];
  const out = [
    vrfTable(showVrf, head, sas, (s) => [
      s.vpn,
      s.localAddress,
      s.localId || "-",
      s.remoteAddress,
      s.remoteId || "-",
      s.state,
      String(s.childSas),
    ]),
  ];
  for (const s of sas) {
    const nat = [s.natLocal ? "local" : "", s.natRemote ? "remote" : ""].filter((x) => x);
    const lines = [
      `${s.vpn} #${s.uid}${showVrf ? ` (vrf ${s.vrf})` : ""}: ${
        s.initiator ? "initiator" : "responder"
      }, ${s.localAddress}:${s.localPort} - ${s.remoteAddress}:${s.remotePort}`,
      `  SPIs ${s.spiI}_i ${s.spiR}_r, ${s.algorithms || "no algorithms yet"}, NAT ${
        nat.length ? nat.join(" and ") + " side" : "none"
      }`,
      `  established ${relative(s.established, now)}, rekey ${relative(s.rekeyAt, now)}` +
      (s.reauthAt ? `, reauth ${relative(s.reauthAt, now)}` : "") +
      (s.expireAt ? `, expires ${relative(s.expireAt, now)}` : ""),
    ];
    if (s.localVips.length || s.remoteVips.length) {
      lines.push(
        `  virtual IPs local ${s.localVips.join(" ") || "-"}, remote ${
          s.remoteVips.join(" ") || "-"
        }`,
      );
    }
    out.push("\n" + lines.join("\n") + "\n");
  }
  return out.join("");
}

/** The text of `show ike child-sa`. */
export function renderChildSas(
  list: readonly ChildSaShow[],
  showVrf: boolean,
  now: number,
): string {
  if (list.length === 0) return "no CHILD SA\n";
  const head = ["VPN", "Security-Policy", "State", "SPI-In", "SPI-Out", "Local-TS", "Remote-TS"];
  const out = [
    vrfTable(showVrf, head, list, (c) => [
      c.vpn,
      c.name,
      c.state,
      c.spiIn,
      c.spiOut,
      c.localTs.join(" "),
      c.remoteTs.join(" "),
    ]),
  ];
  for (const c of list) {
    out.push(
      "\n" + [
        `${c.vpn}/${c.name} #${c.uid}${showVrf ? ` (vrf ${c.vrf})` : ""}: ${c.mode} mode, ${
          c.encap ? "UDP-encapsulated" : "ESP"
        }, ${c.algorithms || "no algorithms yet"}, replay window ${c.replayWindow}`,
        `  in  ${c.bytesIn} bytes, ${c.packetsIn} packets, highest seq ${c.seqIn}`,
        `  out ${c.bytesOut} bytes, ${c.packetsOut} packets, next seq ${c.seqOut}`,
        `  installed ${relative(c.installed, now)}, rekey ${relative(c.rekeyAt, now)}, ` +
        `expires ${relative(c.expireAt, now)}`,
      ].join("\n") + "\n",
    );
  }
  return out.join("");
}

/** The text of `show ike ike-sa-count`. */
export function renderCounts(counts: readonly IkeSaCount[]): string {
  return table(
    ["VRF", "IKE-SAs", "Half-open", "CHILD-SAs", "Passive"],
    counts.map((c) => [
      c.vrf,
      String(c.ikeSas),
      String(c.halfOpen),
      String(c.childSas),
      String(c.passive),
    ]),
  );
}

/** `name value, …` of a counter record (zeros left out unless `all`). */
function pairs(rec: object, all = false): string {
  const e = (Object.entries(rec) as [string, number][]).filter(([, v]) => all || v !== 0);
  return e.length ? e.map(([k, v]) => `${k} ${v}`).join(", ") : "none";
}

/** The text of `show ipsec counters`. */
export function renderCounters(list: readonly GatewayCounters[]): string {
  if (list.length === 0) return "no IKE gateway\n";
  return list.map((c) =>
    [
      `vrf ${c.vrf}`,
      `  IKE        ${pairs(c.ike, true)}`,
      `  IKE drops  ${pairs(c.ikeDrops)}`,
      `  ESP        ${c.esp.sas} SAs, ${c.esp.policies} policies, ${pairs(c.esp.stats, true)}`,
      `  ESP drops  ${pairs(c.esp.drops)}`,
      `  I/O        ${pairs(c.io, true)}`,
    ].join("\n") + "\n"
  ).join("\n");
}
