/**
 * The JSON configuration of `gateway/standalone.ts`: one VRF's gateway
 * with its addresses, PSKs and VPNs in the `ike/config.ts` shape, where
 * addresses, prefixes and identities are written as text and every field
 * with a default may be left out (the defaults are the engine's:
 * `DEFAULT_IKE_POLICY`, `DEFAULT_CHILD`).
 *
 * ```json
 * { "vrf": "main", "addresses": ["10.225.0.1"],
 *   "psks": [{ "ids": ["10.225.0.1", "10.200.0.1"], "secret": "…" }],
 *   "vpns": [{ "name": "lab", "localAddress": "10.225.0.1", "remoteAddress": "10.200.0.1",
 *     "ike": { "proposals": [{ "enc": ["aes128-cbc"], "integ": ["hmac-sha1"], "dh": ["modp1024"] }] },
 *     "children": [{ "name": "net", "localTs": ["10.101.0.0/24"], "remoteTs": ["10.102.0.0/24"],
 *       "proposals": [{ "enc": ["aes128-cbc"], "integ": ["hmac-sha1"] }] }] }],
 *   "initiate": ["lab"] }
 * ```
 *
 * @module
 */
import { type IpAddress, parseIp, parsePrefix } from "../core/ip.ts";
import type { Level } from "../core/log.ts";
import type { CryptoProvider } from "../crypto/registry.ts";
import type { DhGroupName, EncryptionName, IntegrityName, PrfName } from "../crypto/types.ts";
import {
  type ChildConfig,
  type ChildMode,
  DEFAULT_CHILD,
  DEFAULT_IKE_POLICY,
  type EspProposalConfig,
  type GlobalOptions,
  type IkeProposalConfig,
  type TsConfig,
  type UniqueSa,
  validateVpn,
  type VpnConfig,
} from "../ike/config.ts";
import { parseIdentity } from "../ike/identity.ts";
import { parsePskSecret, type PskEntry } from "../ike/psk.ts";

/** A traffic selector: `"10.0.0.0/24"`, or the full form. */
export type TsJson = string | {
  readonly prefix?: string;
  readonly protocol?: number;
  readonly ports?: { readonly start: number; readonly end: number };
};

export interface ChildJson {
  readonly name: string;
  readonly localTs: readonly TsJson[];
  readonly remoteTs: readonly TsJson[];
  readonly mode?: ChildMode;
  readonly proposals: readonly {
    readonly enc: readonly EncryptionName[];
    readonly integ?: readonly IntegrityName[];
    readonly dh?: readonly DhGroupName[];
    readonly esn?: readonly boolean[];
  }[];
  readonly rekeyTime?: number;
  readonly lifeTime?: number;
  readonly rekeyBytes?: number;
  readonly rekeyPackets?: number;
  readonly replayWindow?: number;
  readonly svtiIdIn?: number;
  readonly svtiIdOut?: number;
}

export interface VpnJson {
  readonly name: string;
  readonly localAddress: string;
  readonly remoteAddress?: string;
  readonly localId?: string;
  readonly remoteId?: string;
  readonly ike: {
    readonly proposals: readonly {
      readonly enc: readonly EncryptionName[];
      readonly integ?: readonly IntegrityName[];
      readonly prf?: readonly PrfName[];
      readonly dh: readonly DhGroupName[];
    }[];
    readonly rekeyTime?: number;
    readonly reauthTime?: number;
    readonly keyingTries?: number;
    readonly uniqueSa?: UniqueSa;
    readonly dpdDelay?: number;
  };
  readonly children: readonly ChildJson[];
  readonly requestVip?: boolean;
  readonly vipPool?: string;
}

export interface GatewayJson {
  readonly vrf?: string;
  readonly addresses?: readonly string[];
  readonly policyTun?: string | null;
  readonly routeTable?: number;
  readonly rawEsp?: boolean;
  readonly linkMtu?: number;
  readonly crypto?: CryptoProvider;
  readonly batch?: number;
  readonly initiateOnAcquire?: boolean;
  readonly logLevel?: Level;
  /** Print IKE and ESP events on stdout (default true); benchmarks turn them off. */
  readonly events?: boolean;
  readonly ike?: Partial<GlobalOptions>;
  readonly psks?: readonly {
    readonly name?: string;
    readonly ids?: readonly string[];
    readonly secret: string;
  }[];
  readonly vpns?: readonly VpnJson[];
  /** VPNs to initiate once the gateway runs. */
  readonly initiate?: readonly string[];
}

/** The parsed configuration. */
export interface GatewayConfig {
  readonly vrf: string;
  readonly addresses: IpAddress[];
  readonly vpns: VpnConfig[];
  readonly psks: PskEntry[];
  readonly json: GatewayJson;
}

function ts(t: TsJson): TsConfig {
  if (typeof t === "string") return { prefix: parsePrefix(t, true), protocol: 0 };
  return {
    ...(t.prefix !== undefined ? { prefix: parsePrefix(t.prefix, true) } : {}),
    protocol: t.protocol ?? 0,
    ...(t.ports ? { ports: t.ports } : {}),
  };
}

function child(c: ChildJson): ChildConfig {
  return {
    name: c.name,
    localTs: c.localTs.map(ts),
    remoteTs: c.remoteTs.map(ts),
    mode: c.mode ?? DEFAULT_CHILD.mode,
    proposals: c.proposals.map((p): EspProposalConfig => ({
      enc: p.enc,
      integ: p.integ ?? [],
      dh: p.dh ?? [],
      esn: p.esn ?? [false],
    })),
    rekeyTime: c.rekeyTime ?? DEFAULT_CHILD.rekeyTime,
    replayWindow: c.replayWindow ?? DEFAULT_CHILD.replayWindow,
    ...(c.lifeTime !== undefined ? { lifeTime: c.lifeTime } : {}),
    ...(c.rekeyBytes !== undefined ? { rekeyBytes: c.rekeyBytes } : {}),
    ...(c.rekeyPackets !== undefined ? { rekeyPackets: c.rekeyPackets } : {}),
    ...(c.svtiIdIn !== undefined ? { svtiIdIn: c.svtiIdIn } : {}),
    ...(c.svtiIdOut !== undefined ? { svtiIdOut: c.svtiIdOut } : {}),
  };
}

/** A VPN of the JSON form in the engine's shape (not validated). */
export function vpnFromJson(v: VpnJson, vrf: string): VpnConfig {
  return {
    name: v.name,
    vrf,
    localAddress: parseIp(v.localAddress),
    ...(v.remoteAddress !== undefined ? { remoteAddress: parseIp(v.remoteAddress) } : {}),
    ...(v.localId !== undefined ? { localId: parseIdentity(v.localId) } : {}),
    ...(v.remoteId !== undefined ? { remoteId: parseIdentity(v.remoteId) } : {}),
    ike: {
      ...DEFAULT_IKE_POLICY,
      ...(v.ike.rekeyTime !== undefined ? { rekeyTime: v.ike.rekeyTime } : {}),
      ...(v.ike.reauthTime !== undefined ? { reauthTime: v.ike.reauthTime } : {}),
      ...(v.ike.keyingTries !== undefined ? { keyingTries: v.ike.keyingTries } : {}),
      ...(v.ike.uniqueSa !== undefined ? { uniqueSa: v.ike.uniqueSa } : {}),
      ...(v.ike.dpdDelay !== undefined ? { dpdDelay: v.ike.dpdDelay } : {}),
      proposals: v.ike.proposals.map((p): IkeProposalConfig => ({
        enc: p.enc,
        integ: p.integ ?? [],
        prf: p.prf ?? [],
        dh: p.dh,
      })),
    },
    children: v.children.map(child),
    requestVip: v.requestVip ?? false,
    ...(v.vipPool !== undefined ? { vipPool: v.vipPool } : {}),
  };
}

/** Parses and validates a configuration; throws with every problem found. */
export function parseGatewayConfig(json: GatewayJson): GatewayConfig {
  const vrf = json.vrf ?? "main";
  const vpns = (json.vpns ?? []).map((v) => vpnFromJson(v, vrf));
  const errors = vpns.flatMap(validateVpn);
  for (const name of json.initiate ?? []) {
    if (!vpns.some((v) => v.name === name)) errors.push(`Cannot initiate "${name}": no such vpn`);
  }
  if (errors.length) throw new Error(errors.join("\n"));
  return {
    vrf,
    addresses: (json.addresses ?? []).map((a) => parseIp(a)),
    vpns,
    psks: (json.psks ?? []).map((p, i) => ({
      name: p.name ?? `psk-${i + 1}`,
      ids: (p.ids ?? []).map(parseIdentity),
      secret: parsePskSecret(p.secret),
    })),
    json,
  };
}
