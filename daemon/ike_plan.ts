/**
 * From a VRF's `ike` configuration to what its gateway runs
 * (`ike/config.ts`, RFC 7296): VPNs with their IKE policy and CHILD
 * configurations, pre-shared keys, global options and virtual-IP pools.
 *
 * Mapping decisions (where the reference is silent, strongSwan's):
 * - proposals are taken in `ike-proposal`/`esp-proposal` id order (the id
 *   is the preference); an IKE proposal without `prf-alg` gets one PRF per
 *   `auth-alg` from the engine (`ikeProposalPrfs`), as strongSwan does; an
 *   ESP proposal without `esn` means no ESN;
 * - durations are given to the engine in seconds; `reauth-time` and
 *   `dpd-delay` absent mean never;
 * - identities default to the addresses, and the remote one is always
 *   passed explicitly (an absent remote identity would let the engine
 *   accept any peer that knows a key);
 * - a traffic selector without `subnet` is the endpoint's own address
 *   (transport mode, `local-ts protocol 47`); `port` is a single port;
 * - `vip-pool` names an `ike ha pool` (the only pools of the schema); until
 *   HA supplies synchronized pools they are plain in-memory subnet pools;
 * - `global-options dos-protection` maps to the engine's DoS options;
 *   `sp-hash-ipv4`/`sp-hash-ipv6` tune a kernel SPD this build does not
 *   use (the SPD is the userspace dataplane's) and are accepted unused.
 *
 * @module
 */
import { type IpAddress, ipEqual, parseIp, parsePrefix } from "../core/ip.ts";
import type {
  HaPoolConfig,
  IkeConfig,
  IkePolicyTemplateConfig,
  IpsecPolicyTemplateConfig,
  SecurityPolicyConfig,
  TandemConfig,
  VpnConfig as VpnSchema,
} from "../config/root_schema.ts";
import { secretBytes } from "../config/secret.ts";
import type { Check, Report } from "../config/validate.ts";
import type {
  ChildConfig,
  ChildMode,
  GlobalOptions,
  IkePolicy,
  TsConfig,
  UniqueSa,
  VpnConfig,
} from "../ike/config.ts";
import { identityOfAddress, parseIdentity } from "../ike/identity.ts";
import type { PskEntry } from "../ike/psk.ts";
import type { VipAttributes } from "../ike/ports.ts";

/** A pool of `ike ha pool`, ready for `SubnetPool`. */
export interface PoolPlan {
  readonly name: string;
  readonly address: string;
  readonly attributes: VipAttributes;
}

/** What one VRF's gateway runs. */
export interface GatewayPlan {
  readonly vpns: readonly VpnConfig[];
  readonly psks: readonly PskEntry[];
  readonly options: Partial<GlobalOptions>;
  readonly pools: readonly PoolPlan[];
  /** Every distinct vpn `local-address`: IKE and ESP sockets are bound there. */
  readonly addresses: readonly IpAddress[];
}

const seconds = (ms: number | undefined) => (ms === undefined ? 0 : Math.round(ms / 1000));

const byId = <T extends { id: number }>(list: readonly T[]) =>
  [...list].sort((a, b) => a.id - b.id);

function ikePolicy(t: IkePolicyTemplateConfig): IkePolicy {
  return {
    proposals: byId(t["ike-proposal"]).map((p) => ({
      enc: p["enc-alg"],
      integ: p["auth-alg"],
      prf: p["prf-alg"],
      dh: p["dh-group"],
    })),
    rekeyTime: seconds(t["rekey-time"]),
    reauthTime: seconds(t["reauth-time"]),
    keyingTries: t["keying-tries"],
    uniqueSa: t["unique-sa"] as UniqueSa,
    dpdDelay: seconds(t["dpd-delay"]),
  };
}

function ts(sel: SecurityPolicyConfig["local-ts"]): TsConfig {
  return {
    ...(sel.subnet !== undefined ? { prefix: parsePrefix(sel.subnet, true) } : {}),
    protocol: sel.protocol ?? 0,
    ...(sel.port !== undefined ? { ports: { start: sel.port, end: sel.port } } : {}),
  };
}

function child(sp: SecurityPolicyConfig, t: IpsecPolicyTemplateConfig): ChildConfig {
  return {
    name: sp.name,
    localTs: [ts(sp["local-ts"])],
    remoteTs: [ts(sp["remote-ts"])],
    mode: sp.mode as ChildMode,
    proposals: byId(t["esp-proposal"]).map((p) => ({
      enc: p["enc-alg"],
      integ: p["auth-alg"],
      dh: p["dh-group"],
      esn: p.esn.length > 0 ? p.esn : [false],
    })),
    rekeyTime: seconds(t["rekey-time"]),
    replayWindow: t["replay-window"],
    ...(sp["svti-id-in"] !== undefined ? { svtiIdIn: sp["svti-id-in"] } : {}),
    ...(sp["svti-id-out"] !== undefined ? { svtiIdOut: sp["svti-id-out"] } : {}),
  };
}

function vpn(vrf: string, ike: IkeConfig, v: VpnSchema): VpnConfig {
  const it = ike["ike-policy-template"].find((t) => t.name === v["ike-policy"].template)!;
  const pt = ike["ipsec-policy-template"].find((t) => t.name === v["ipsec-policy"].template)!;
  const local = parseIp(v["local-address"]!);
  const remote = v["remote-address"] !== undefined ? parseIp(v["remote-address"]) : undefined;
  const remoteId = v["remote-id"] !== undefined
    ? parseIdentity(v["remote-id"])
    : identityOfAddress(remote!);
  return {
    name: v.name,
    vrf,
    localAddress: local,
    ...(remote ? { remoteAddress: remote } : {}),
    localId: v["local-id"] !== undefined ? parseIdentity(v["local-id"]) : identityOfAddress(local),
    remoteId,
    ike: ikePolicy(it),
    children: v["security-policy"].map((sp) => child(sp, pt)),
    requestVip: v.vip !== undefined,
    ...(v["vip-pool"] !== undefined ? { vipPool: v["vip-pool"] } : {}),
  };
}

function pool(p: HaPoolConfig): PoolPlan {
  return {
    name: p.name,
    address: p.address,
    attributes: {
      dns: p.dns.map((a) => parseIp(a)),
      nbns: p.nbns.map((a) => parseIp(a)),
      dhcp: p.dhcp.map((a) => parseIp(a)),
      subnets: p.subnet.map((s) => parsePrefix(s, true)),
      ...(p.netmask !== undefined ? { netmask: parseIp(p.netmask) } : {}),
    },
  };
}

/** The gateway plan of VRF `vrf` (its configuration has passed the checks). */
export function gatewayPlan(vrf: string, ike: IkeConfig): GatewayPlan {
  const vpns = ike.vpn.map((v) => vpn(vrf, ike, v));
  const addresses: IpAddress[] = [];
  for (const v of vpns) {
    if (!addresses.some((a) => ipEqual(a, v.localAddress))) addresses.push(v.localAddress);
  }
  const dos = ike["global-options"]["dos-protection"];
  return {
    vpns,
    psks: ike["pre-shared-key"].map((k) => ({
      name: k.name,
      ids: k.id.map(parseIdentity),
      secret: secretBytes(k.secret),
    })),
    options: {
      dosProtection: dos.enabled,
      cookieThreshold: dos["cookie-threshold"],
      cookieThresholdIp: dos["cookie-threshold-ip"],
      blockThreshold: dos["block-threshold"],
      initLimitHalfOpen: dos["init-limit-half-open"],
    },
    pools: (ike.ha?.pool ?? []).map(pool),
    addresses,
  };
}

/**
 * What the gateway needs beyond the schema's own checks: every vpn has a
 * `local-address` (IKE and ESP sockets are bound to it).
 */
export const checkIkeRunnable: Check<TandemConfig> = (cfg: TandemConfig, report: Report): void => {
  for (const vrf of cfg.vrf) {
    for (const v of vrf.ike?.vpn ?? []) {
      if (v["local-address"] === undefined) {
        report.error(
          `vrf ${vrf.name} ike vpn ${v.name}`,
          "a local-address is mandatory (IKE and ESP are bound to it)",
        );
      }
    }
  }
};
