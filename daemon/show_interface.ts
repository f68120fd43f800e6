/**
 * `show interface [vrf <vrf>] [<name>] [--json]`: every link of the
 * daemon's VRFs as the kernel reports it (rtnetlink): kind, state, MTU,
 * MAC, addresses, counters, and whether Tandem manages it (and through
 * which port). A name shows one interface in detail.
 *
 * @module
 */
import { formatPrefix } from "../core/ip.ts";
import type { TandemConfig } from "../config/root_schema.ts";
import type { Link, LinkStats } from "../kernel/netlink/link_info.ts";
import { type KernelEnv, MAIN_VRF } from "./kernel_env.ts";
import { table } from "./views.ts";

/** One interface as `show interface` reports it. */
export interface InterfaceShow {
  readonly vrf: string;
  readonly name: string;
  readonly index: number;
  /** The configured kind (`physical`, `loopback`), else what the kernel says (`veth`, `ethernet`, …). */
  readonly kind: string;
  readonly managed: boolean;
  readonly port?: string;
  /** `up`, `down` (administratively), or `no-carrier`. */
  readonly state: "up" | "down" | "no-carrier";
  readonly operState: string;
  readonly mtu: number;
  readonly mac?: string;
  readonly addresses: readonly string[];
  readonly counters?: LinkStats;
}

/** The VRFs whose interfaces `show interface` lists: main, configured ones, Tandem's namespaces. */
export function shownVrfs(env: KernelEnv, config: TandemConfig): string[] {
  const all = new Set([MAIN_VRF, ...config.vrf.map((v) => v.name), ...env.owned.vrfs()]);
  return [...all].filter((v) => env.exists(v));
}

function kernelKind(l: Link): string {
  if (l.kind) return l.kind;
  if (l.hwType === 772) return "loopback";
  return l.hwType === 1 ? "ethernet" : `hw${l.hwType}`;
}

/** The data of `show interface`. */
export async function collectInterfaces(
  env: KernelEnv,
  config: TandemConfig,
  filter: { vrf?: string; name?: string } = {},
): Promise<InterfaceShow[]> {
  const vrfs = shownVrfs(env, config);
  if (filter.vrf !== undefined && !vrfs.includes(filter.vrf)) {
    throw new Error(`vrf ${filter.vrf} does not exist`);
  }
  const out: InterfaceShow[] = [];
  for (const vrf of filter.vrf === undefined ? vrfs : [filter.vrf]) {
    const cfg = config.vrf.find((v) => v.name === vrf);
    using nl = env.open(vrf);
    const links = await nl.links.list();
    const addrs = await nl.addrs.list();
    for (const l of links.sort((a, b) => a.index - b.index)) {
      if (filter.name !== undefined && l.name !== filter.name) continue;
      const physical = cfg?.interface.physical.find((p) => p.name === l.name);
      const loopback = cfg?.interface.loopback.find((p) => p.name === l.name);
      const owned = env.owned.link(vrf, l.name);
      const managed = owned !== undefined && (physical !== undefined || loopback !== undefined);
      out.push({
        vrf,
        name: l.name,
        index: l.index,
        kind: managed ? owned.kind : kernelKind(l),
        managed,
        ...(managed && owned.kind === "physical" ? { port: owned.port } : {}),
        state: !l.up ? "down" : l.lowerUp ? "up" : "no-carrier",
        operState: l.operState,
        mtu: l.mtu,
        ...(l.mac !== undefined ? { mac: l.mac } : {}),
        addresses: addrs.filter((a) => a.index === l.index).map((a) => formatPrefix(a.address)),
        ...(l.stats ? { counters: l.stats } : {}),
      });
    }
  }
  if (filter.name !== undefined && out.length === 0) {
    throw new Error(`no interface ${filter.name}${filter.vrf ? ` in vrf ${filter.vrf}` : ""}`);
  }
  return out;
}

function counterLine(dir: "rx" | "tx", c: LinkStats): string {
  const [p, b, e, d] = dir === "rx"
    ? [c.rxPackets, c.rxBytes, c.rxErrors, c.rxDropped]
    : [c.txPackets, c.txBytes, c.txErrors, c.txDropped];
  return `  ${dir} ${p} packets, ${b} bytes, ${e} errors, ${d} dropped`;
}

/** The text of `show interface`: a table, or details when one name was asked for. */
export function renderInterfaces(list: readonly InterfaceShow[], detail: boolean): string {
  if (list.length === 0) return "no interface\n";
  if (!detail) {
    return table(
      ["VRF", "Interface", "Kind", "State", "MTU", "MAC", "Addresses"],
      list.map((i) => [
        i.vrf,
        i.name,
        i.managed ? i.kind : `(${i.kind})`,
        i.state,
        String(i.mtu),
        i.mac ?? "-",
        i.addresses.join(" ") || "-",
      ]),
    );
  }
  const out: string[] = [];
  for (const i of list) {
    const how = i.managed ? `${i.kind}${i.port ? `, port ${i.port}` : ""}` : `${i.kind}, unmanaged`;
    out.push(`${i.name} (vrf ${i.vrf}, ${how})`);
    out.push(`  state ${i.state} (oper ${i.operState}), mtu ${i.mtu}, mac ${i.mac ?? "-"}`);
    out.push(`  addresses ${i.addresses.join(" ") || "-"}`);
    if (i.counters) out.push(counterLine("rx", i.counters), counterLine("tx", i.counters));
  }
  return out.join("\n") + "\n";
}
