/**
 * The IKE operational commands (each with `--json`; `vrf` and `vpn` in
 * any order after the command's words, and the kind before or after them,
 * so that the reference's `show ike vrf main ike-sa` works as written):
 *
 * - `show ike [vrf <vrf>] ike-sa|child-sa|ike-sa-count [vpn <name>]`
 * - `show ipsec [vrf <vrf>] counters|sa`: the dataplane's drop reasons and
 *   I/O counters, or its ESP SAs;
 * - `flush ike [vrf <vrf>] [ike-sa|child-sa] [vpn <name>]`: deletes SAs,
 *   telling the peer (an established IKE SA gets an INFORMATIONAL Delete;
 *   half-open and `(unknown)` ones are dropped silently); `vpn (unknown)`
 *   flushes only the SAs that belong to no VPN.
 *
 * Without `vrf`, every VRF that runs IKE is shown (and the tables get a
 * VRF column); VRF and VPN names complete.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { OperationalArg, OperationalRegistry } from "../cli/operational.ts";
import type { Datastore } from "../config/datastore.ts";
import type { EspSaInfo, GatewayCounters, VrfGateway } from "../gateway/vrf_gateway.ts";
import type { IkeGateways } from "./ike_gateways.ts";
import {
  type ChildSaShow,
  childSaShow,
  type IkeSaCount,
  type IkeSaShow,
  ikeSaShow,
  renderChildSas,
  renderCounters,
  renderCounts,
  renderIkeSas,
} from "./ike_show.ts";
import { registerView, table } from "./views.ts";

/** What `show ike` returns, by kind. */
export type IkeShow =
  | { readonly ikeSas: readonly IkeSaShow[] }
  | { readonly childSas: readonly ChildSaShow[] }
  | { readonly ikeSaCounts: readonly IkeSaCount[] };

/** What `show ipsec` returns, by kind. */
export type IpsecShow =
  | { readonly counters: readonly GatewayCounters[] }
  | { readonly espSas: readonly (EspSaInfo & { readonly vrf: string })[] };

/** What `flush ike` did, per VRF. */
export interface FlushResult {
  readonly vrf: string;
  readonly ikeSas: number;
  readonly childSas: number;
}

const UNKNOWN = "(unknown)";

function kindArg(kinds: readonly string[], optional: boolean, help: string): OperationalArg {
  return {
    name: "kind",
    syntax: `<${kinds.join("|")}>`,
    help,
    optional,
    complete: () => [...kinds],
  };
}

function oneOf(kind: string | undefined, kinds: readonly string[], fallback?: string): string {
  const k = kind ?? fallback;
  if (k === undefined || !kinds.includes(k)) {
    throw new Error(`"${kind ?? ""}" is not one of ${kinds.join(", ")}`);
  }
  return k;
}

/** Registers the commands of the module doc. */
export function registerIkeViews(
  registry: OperationalRegistry,
  gateways: IkeGateways,
  datastore: Datastore,
  clock: Clock,
): void {
  const vrfArg: OperationalArg = {
    name: "vrf",
    keyword: "vrf",
    syntax: "<vrf>",
    help: "only this VRF",
    optional: true,
    complete: () => gateways.vrfs(),
  };
  const vpnNames = () => [
    ...new Set(datastore.typed().vrf.flatMap((v) => (v.ike?.vpn ?? []).map((x) => x.name))),
  ];
  const vpnArg = (extra: string[] = []): OperationalArg => ({
    name: "vpn",
    keyword: "vpn",
    syntax: "<vpn>",
    help: "only this VPN",
    optional: true,
    complete: () => [...vpnNames(), ...extra],
  });
  const select = (vrf: string | undefined): [string, VrfGateway][] => {
    if (vrf === undefined) return gateways.vrfs().map((v) => [v, gateways.get(v)!]);
    const gw = gateways.get(vrf);
    if (!gw) throw new Error(`vrf ${vrf} runs no IKE`);
    return [[vrf, gw]];
  };

  const showKinds = ["ike-sa", "child-sa", "ike-sa-count"] as const;
  registerView<IkeShow>(registry, {
    words: ["show", "ike"],
    help: "IKE SAs, CHILD SAs or their counts",
    args: [
      vrfArg,
      kindArg(showKinds, false, "ike-sa, child-sa or ike-sa-count"),
      vpnArg([UNKNOWN]),
    ],
    data: (a) => {
      const kind = oneOf(a["kind"], showKinds);
      const vpn = a["vpn"];
      const gws = select(a["vrf"]);
      if (kind === "ike-sa-count") {
        if (vpn !== undefined) throw new Error("vpn does not apply to ike-sa-count");
        return { ikeSaCounts: gws.map(([vrf, gw]) => ({ vrf, ...gw.ike.counts() })) };
      }
      if (kind === "ike-sa") {
        return {
          ikeSas: gws.flatMap(([vrf, gw]) =>
            gw.listIkeSas().filter((s) => vpn === undefined || s.vpn === vpn)
              .map((s) => ikeSaShow(vrf, s))
          ),
        };
      }
      return {
        childSas: gws.flatMap(([vrf, gw]) =>
          gw.listChildSas().filter((c) => vpn === undefined || c.vpn === vpn)
            .map((c) => childSaShow(vrf, c))
        ),
      };
    },
    text: (d, a) => {
      const showVrf = a["vrf"] === undefined;
      const now = clock.wallNow();
      if ("ikeSas" in d) return renderIkeSas(d.ikeSas, showVrf, now);
      if ("childSas" in d) return renderChildSas(d.childSas, showVrf, now);
      return renderCounts(d.ikeSaCounts);
    },
  });

  const ipsecKinds = ["counters", "sa"] as const;
  registerView<IpsecShow>(registry, {
    words: ["show", "ipsec"],
    help: "the ESP dataplane: counters (drops by reason, I/O) or its SAs",
    args: [vrfArg, kindArg(ipsecKinds, false, "counters or sa")],
    data: (a) => {
      const kind = oneOf(a["kind"], ipsecKinds);
      const gws = select(a["vrf"]);
      if (kind === "counters") return { counters: gws.map(([, gw]) => gw.counters()) };
      return {
        espSas: gws.flatMap(([vrf, gw]) => gw.listEspSas().map((s) => ({ vrf, ...s }))),
      };
    },
    text: (d) => {
      if ("counters" in d) return renderCounters(d.counters);
      if (d.espSas.length === 0) return "no ESP SA\n";
      return table(
        ["VRF", "SA", "SPI", "Dir", "ESN", "Packets", "Bytes", "Seq", "Replay-drops", "ICV-fail"],
        d.espSas.map((s) => [
          s.vrf,
          s.name,
          s.spi,
          s.direction,
          s.esn ? "yes" : "no",
          String(s.packets),
          String(s.bytes),
          String(s.seq),
          String(s.replayDrops),
          String(s.icvFailures),
        ]),
      );
    },
  });

  const flushKinds = ["ike-sa", "child-sa"] as const;
  registerView<{ flushed: FlushResult[] }>(registry, {
    words: ["flush", "ike"],
    help: "delete IKE SAs (with their CHILD SAs) or CHILD SAs, telling the peer",
    args: [
      vrfArg,
      kindArg(flushKinds, true, "ike-sa (the default) or child-sa"),
      vpnArg([UNKNOWN]),
    ],
    data: (a) => {
      const kind = oneOf(a["kind"], flushKinds, "ike-sa");
      const vpn = a["vpn"];
      const flushed = select(a["vrf"]).map(([vrf, gw]): FlushResult => {
        if (kind === "ike-sa") {
          const filter = vpn === undefined ? {} : vpn === UNKNOWN ? { unknown: true } : { vpn };
          return { vrf, ikeSas: gw.flush(filter), childSas: 0 };
        }
        const spis = gw.listChildSas().filter((c) => vpn === undefined || c.vpn === vpn)
          .map((c) => parseInt(c.spiIn, 16));
        return { vrf, ikeSas: 0, childSas: spis.filter((s) => gw.terminateChild(s)).length };
      });
      return { flushed };
    },
    text: (d) =>
      d.flushed.map((f) =>
        `vrf ${f.vrf}: ${
          f.ikeSas || !f.childSas ? `${f.ikeSas} IKE SA${f.ikeSas === 1 ? "" : "s"}` : ""
        }${f.childSas ? `${f.childSas} CHILD SA${f.childSas === 1 ? "" : "s"}` : ""} flushed\n`
      ).join("") || "no IKE gateway\n",
  });
}
