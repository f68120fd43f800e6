/**
 * `vrf <vrf> ike`: one {@linkcode VrfGateway} per VRF that has `ike`
 * (IKEv2, RFC 7296, with its userspace ESP dataplane, RFC 4303), created in
 * the VRF's namespace with IKE and ESP sockets on every vpn
 * `local-address`, reconciled on every change of the VRF's `ike` subtree,
 * shut down (IKE Deletes sent) when `ike` goes away and when the daemon
 * stops.
 *
 * Initiation policy (strongSwan's `start_action = start|trap`, which the
 * reference leaves unsaid): a VPN with a `remote-address` is initiated when
 * it is committed (and so at every daemon start), `keying-tries` governing
 * the retries of that attempt; its policy-based security-policies are also
 * trapped, so that the first packet of their traffic starts the VPN again
 * after it failed or was flushed, or, while its IKE SA lives, negotiates a
 * flushed CHILD SA with CREATE_CHILD_SA. A VPN without `remote-address` only
 * answers. The responder side always accepts a peer that authenticates
 * against one of the VRF's VPNs.
 *
 * A change keeps what it can: VPNs that did not change keep their SAs, a
 * VPN whose only change is in its security-policies keeps its IKE SA (new
 * policies are negotiated with CREATE_CHILD_SA), pools keep their leases
 * unless their subnet changed. A change that fails half-way (a socket that
 * cannot be bound) puts the gateway back as it was before failing.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import { formatIp, ipEqual, parsePrefix } from "../core/ip.ts";
import type { Logger, LogHub } from "../core/log.ts";
import type { Rng } from "../core/rng.ts";
import type { Change } from "../config/appliers.ts";
import type { IkeConfig } from "../config/root_schema.ts";
import { VrfGateway } from "../gateway/vrf_gateway.ts";
import { SubnetPool } from "../ike/vip_pool.ts";
import type { Vrfs } from "../kernel/vrf.ts";
import { type GatewayPlan, gatewayPlan, type PoolPlan } from "./ike_plan.ts";
import { withUndo } from "./kernel_env.ts";

/** What the gateways need from the daemon. */
export interface IkeGatewaysOptions {
  readonly vrfs: Vrfs;
  readonly hub: LogHub;
  readonly clock: Clock;
  readonly rng: Rng;
}

interface Entry {
  readonly gw: VrfGateway;
  plan: GatewayPlan;
  pools: Map<string, { readonly plan: PoolPlan; readonly pool: SubnetPool }>;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** See the module doc. */
export class IkeGateways {
  readonly #o: IkeGatewaysOptions;
  readonly #log: Logger;
  readonly #entries = new Map<string, Entry>();

  constructor(o: IkeGatewaysOptions) {
    this.#o = o;
    this.#log = o.hub.logger("ike");
  }

  /** The gateway of a VRF, if it has `ike`. */
  get(vrf: string): VrfGateway | undefined {
    return this.#entries.get(vrf)?.gw;
  }

  /** The VRFs that run a gateway, in creation order. */
  vrfs(): string[] {
    return [...this.#entries.keys()];
  }

  /** The applier of `vrf * ike`. */
  apply(change: Change<IkeConfig>): Promise<void> {
    const vrf = String(change.keys[0]);
    const to = (cfg: IkeConfig | undefined) => () =>
      cfg === undefined ? this.remove(vrf) : this.ensure(vrf, cfg);
    return withUndo(this.#log, change.pathText, to(change.new), to(change.old));
  }

  /** Creates or reconciles the gateway of `vrf`. */
  async ensure(vrf: string, ike: IkeConfig): Promise<void> {
    const plan = gatewayPlan(vrf, ike);
    const entry = this.#entries.get(vrf);
    if (!entry) return await this.#create(vrf, plan);
    const { gw } = entry;
    entry.pools = this.#pools(plan.pools, entry.pools);
    gw.setPsks(plan.psks);
    gw.setOptions(plan.options);
    const r = gw.setVpns(plan.vpns);
    for (const a of gw.io.addresses) {
      if (!plan.addresses.some((b) => ipEqual(a, b))) {
        gw.removeAddress(a);
        this.#log.control(`vrf ${vrf}: IKE sockets on ${formatIp(a)} closed`);
      }
    }
    entry.plan = plan;
    const what = [
      ...r.added.map((n) => `${n} added`),
      ...r.changed.map((n) => `${n} changed`),
      ...r.removed.map((n) => `${n} removed`),
    ];
    if (what.length) this.#log.control(`vrf ${vrf}: vpn ${what.join(", ")}`);
    this.#start(vrf, [...r.added, ...r.changed]);
  }

  async #create(vrf: string, plan: GatewayPlan): Promise<void> {
    const pools = this.#pools(plan.pools, new Map());
    const o = this.#o;
    const gw = await VrfGateway.create({
      vrf,
      ns: o.vrfs.netns(vrf),
      logs: o.hub,
      clock: o.clock,
      rng: o.rng,
      addresses: plan.addresses,
      vpns: plan.vpns,
      psks: plan.psks,
      pools: (name) => this.#entries.get(vrf)?.pools.get(name)?.pool,
      ike: plan.options,
      initiateOnAcquire: true,
    });
    this.#entries.set(vrf, { gw, plan, pools });
    this.#log.control(
      `vrf ${vrf}: IKE gateway started on ${
        plan.addresses.map(formatIp).join(" ") || "no address"
      }`,
    );
    this.#start(vrf, plan.vpns.map((v) => v.name));
  }

  /** Initiates the named VPNs that have a remote address and no SA under way. */
  #start(vrf: string, names: readonly string[]): void {
    const entry = this.#entries.get(vrf)!;
    const live = new Set(
      entry.gw.listIkeSas().filter((s) => s.state !== "deleting" && s.state !== "destroyed")
        .map((s) => s.vpn),
    );
    for (const name of names) {
      const v = entry.plan.vpns.find((x) => x.name === name);
      if (!v || v.remoteAddress === undefined || live.has(name)) continue;
      entry.gw.initiate(name);
    }
  }

  #pools(
    plans: readonly PoolPlan[],
    old: Entry["pools"],
  ): Entry["pools"] {
    const out: Entry["pools"] = new Map();
    for (const p of plans) {
      const prev = old.get(p.name);
      const same = prev && JSON.stringify(prev.plan) === JSON.stringify(p);
      out.set(p.name, {
        plan: p,
        pool: same ? prev.pool : new SubnetPool(p.name, parsePrefix(p.address, true), p.attributes),
      });
    }
    return out;
  }

  /** Shuts the gateway of `vrf` down: its SAs are deleted at the peers, sockets and TUNs closed. */
  async remove(vrf: string): Promise<void> {
    const entry = this.#entries.get(vrf);
    if (!entry) return;
    this.#entries.delete(vrf);
    await entry.gw.shutdown();
    this.#log.control(`vrf ${vrf}: IKE gateway stopped`);
  }

  /** Daemon stop: every gateway shut down, each peer told. */
  async stop(): Promise<void> {
    for (const vrf of [...this.#entries.keys()].reverse()) {
      try {
        await this.remove(vrf);
      } catch (e) {
        this.#log.error(`vrf ${vrf}: stopping the IKE gateway: ${reason(e)}`);
      }
    }
  }
}
