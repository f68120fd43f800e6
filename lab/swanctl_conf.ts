/**
 * The lab's model of `swanctl.conf` (connections, children, pools,
 * secrets) and its writer. Only what Tandem's interop tests and the lab
 * need: IKEv2, PSK authentication (IDs of any type strongSwan parses:
 * `10.0.0.1` is ID_IPV4_ADDR, `gw.example` FQDN, `a@b` RFC822, `@#0a0b`
 * KEY_ID, or with an explicit `fqdn:`/`email:`/`keyid:` prefix), tunnel or
 * transport children, virtual IPs and pools.
 *
 * @module
 */
import { renderSettings, type SettingsTree } from "./strongswan_conf.ts";

/** A duration: seconds as a number, or strongSwan's own text (`"4h"`, `"90m"`). */
export type Duration = number | string;

/** One side of the IKE authentication. */
export interface AuthSide {
  /** Default `psk`. */
  auth?: string;
  /** The IKE identity. */
  id: string;
}

/** A CHILD SA configuration (`connections.<conn>.children.<name>`). */
export interface SwanChild {
  name: string;
  mode?: "tunnel" | "transport";
  localTs: readonly string[];
  remoteTs: readonly string[];
  /** e.g. `["aes128-sha1"]`; no ESN with libipsec. */
  espProposals: readonly string[];
  rekeyTime?: Duration;
  lifeTime?: Duration;
  rekeyBytes?: number;
  lifeBytes?: number;
  rekeyPackets?: number;
  lifePackets?: number;
  startAction?: "none" | "trap" | "start";
  dpdAction?: "clear" | "trap" | "restart" | "none";
  closeAction?: "none" | "trap" | "start";
  /** Ignored by libipsec (fixed 128). */
  replayWindow?: number;
  /** More settings of this child. */
  extra?: SettingsTree;
}

/** An IKE connection (`connections.<name>`). */
export interface SwanConnection {
  name: string;
  localAddrs: readonly string[];
  remoteAddrs: readonly string[];
  /** IKE proposals, e.g. `["aes128-sha1-modp1024"]`. */
  proposals: readonly string[];
  local: AuthSide;
  remote: AuthSide;
  children: readonly SwanChild[];
  localPort?: number;
  remotePort?: number;
  /** UDP-encapsulate ESP even without NAT (libipsec always does). */
  encap?: boolean;
  mobike?: boolean;
  rekeyTime?: Duration;
  reauthTime?: Duration;
  overTime?: Duration;
  dpdDelay?: Duration;
  dpdTimeout?: Duration;
  keyingtries?: number;
  unique?: "no" | "never" | "keep" | "replace";
  /** Virtual IPs to request, e.g. `["0.0.0.0"]`. */
  vips?: readonly string[];
  /** Pools to assign virtual IPs from (responder). */
  pools?: readonly string[];
  fragmentation?: "yes" | "accept" | "force" | "no";
  /** More settings of this connection. */
  extra?: SettingsTree;
}

/** A virtual-IP pool (`pools.<name>`). */
export interface SwanPool {
  name: string;
  /** A prefix or a range, e.g. `10.3.0.0/24`. */
  addrs: string;
  dns?: readonly string[];
}

/** An IKE pre-shared key for a set of identities (`secrets.ike-<n>`). */
export interface SwanSecret {
  ids: readonly string[];
  /** The key as text (any string; see {@linkcode secretValue}). */
  secret: string;
  /**
   * `secret` is already in strongSwan's (and the reference's) encoding:
   * `0x` + hex or `0s` + base64, written as is.
   */
  encoded?: boolean;
}

/** A whole swanctl.conf. */
export interface SwanctlConfig {
  connections: readonly SwanConnection[];
  pools?: readonly SwanPool[];
  secrets?: readonly SwanSecret[];
}

const dur = (d: Duration | undefined): string | undefined =>
  d === undefined ? undefined : typeof d === "number" ? `${d}s` : d;

const NAME = /^[A-Za-z0-9_.\-]{1,64}$/;

function checkName(what: string, name: string): void {
  if (!NAME.test(name)) throw new Error(`Cannot use ${what} name "${name}": bad characters`);
}

function child(c: SwanChild): SettingsTree {
  checkName("child", c.name);
  return {
    mode: c.mode ?? "tunnel",
    local_ts: c.localTs,
    remote_ts: c.remoteTs,
    esp_proposals: c.espProposals,
    rekey_time: dur(c.rekeyTime),
    life_time: dur(c.lifeTime),
    rekey_bytes: c.rekeyBytes,
    life_bytes: c.lifeBytes,
    rekey_packets: c.rekeyPackets,
    life_packets: c.lifePackets,
    start_action: c.startAction ?? "none",
    dpd_action: c.dpdAction,
    close_action: c.closeAction,
    replay_window: c.replayWindow,
    ...c.extra,
  };
}

function connection(c: SwanConnection): SettingsTree {
  checkName("connection", c.name);
  const children: SettingsTree = {};
  for (const ch of c.children) children[ch.name] = child(ch);
  return {
    version: 2,
    local_addrs: c.localAddrs,
    remote_addrs: c.remoteAddrs,
    local_port: c.localPort,
    remote_port: c.remotePort,
    proposals: c.proposals,
    encap: c.encap ?? false,
    mobike: c.mobike ?? false,
    rekey_time: dur(c.rekeyTime),
    reauth_time: dur(c.reauthTime),
    over_time: dur(c.overTime),
    dpd_delay: dur(c.dpdDelay),
    dpd_timeout: dur(c.dpdTimeout),
    keyingtries: c.keyingtries,
    unique: c.unique,
    vips: c.vips,
    pools: c.pools,
    fragmentation: c.fragmentation,
    ...c.extra,
    local: { auth: c.local.auth ?? "psk", id: c.local.id },
    remote: { auth: c.remote.auth ?? "psk", id: c.remote.id },
    children,
  };
}

/**
 * A PSK as swanctl reads it: as text when plain, else hex (`0x...` is
 * strongSwan's own encoding; a text PSK starting with `0x`/`0s` would be
 * decoded as hex/base64), so any string round-trips.
 */
export function secretValue(secret: string): string {
  if (/^[\x21\x23-\x5b\x5d-\x7e ]+$/.test(secret) && !/^0[xs]/.test(secret)) return secret;
  const hex = [...new TextEncoder().encode(secret)].map((b) => b.toString(16).padStart(2, "0"));
  return `0x${hex.join("")}`;
}

/** The whole swanctl.conf. */
export function renderSwanctlConf(cfg: SwanctlConfig): string {
  const connections: SettingsTree = {};
  for (const c of cfg.connections) connections[c.name] = connection(c);
  const pools: SettingsTree = {};
  for (const p of cfg.pools ?? []) {
    checkName("pool", p.name);
    pools[p.name] = { addrs: p.addrs, dns: p.dns };
  }
  const secrets: SettingsTree = {};
  for (const [i, s] of (cfg.secrets ?? []).entries()) {
    const entry: SettingsTree = {};
    for (const [j, id] of s.ids.entries()) entry[`id-${j + 1}`] = id;
    entry.secret = s.encoded ? s.secret : secretValue(s.secret);
    secrets[`ike-${i + 1}`] = entry;
  }
  return "# Generated by Tandem's lab (lab/swanctl_conf.ts).\n" +
    renderSettings({ connections, pools, secrets });
}
