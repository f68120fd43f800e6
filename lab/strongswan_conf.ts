/**
 * A private `strongswan.conf` for one charon instance of the lab, and the
 * writer of strongSwan's settings syntax (`key = value`, `name { ... }`)
 * that `swanctl_conf.ts` shares.
 *
 * Facts this encodes (strongSwan 5.9.8 on Debian 12, no kernel ESP):
 * - `load_modular = no` with an explicit plugin list; Debian's modular
 *   config would load `ha` and not `kernel-libipsec`.
 * - `kernel-libipsec` must come BEFORE `kernel-netlink`: the first one to
 *   register the IPsec backend wins, and XFRM cannot install SAs here.
 *   `kernel-netlink` is still required (routes, addresses, interfaces).
 * - Log levels `ike = 4`, `chd = 4` print every key (for vectors);
 *   `esp = 1` prints libipsec's replay drops, `esp = 2` one line per
 *   received ESP packet (SPI and sequence number).
 *
 * @module
 */

/** A value in strongSwan's settings syntax. Arrays are written comma-separated. */
export type SettingValue = string | number | boolean | readonly string[];

/** A section of settings; `undefined` entries are left out. */
export interface SettingsTree {
  [key: string]: SettingValue | SettingsTree | undefined;
}

const SAFE_VALUE = /^[A-Za-z0-9_.,:/%@+*=\-\[\] ]*$/;
const KEY = /^[A-Za-z0-9_.\-]+$/;

/** Writes one value: yes/no for booleans, quoted when it holds anything unusual. */
export function settingValue(v: SettingValue): string {
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number") return String(v);
  const s = typeof v === "string" ? v : v.join(", ");
  if (SAFE_VALUE.test(s) && s.trim() === s && s !== "") return s;
  if ([...s].some((c) => c < " " || c === "\x7f")) {
    throw new Error("Cannot write setting value: control character");
  }
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function isTree(v: SettingValue | SettingsTree): v is SettingsTree {
  return typeof v === "object" && !Array.isArray(v);
}

/** Renders a settings tree, 4 spaces per level. */
export function renderSettings(tree: SettingsTree, depth = 0): string {
  const pad = "    ".repeat(depth);
  let out = "";
  for (const [key, v] of Object.entries(tree)) {
    if (v === undefined) continue;
    if (!KEY.test(key)) throw new Error(`Cannot write setting "${key}": bad name`);
    if (isTree(v)) {
      out += `${pad}${key} {\n${renderSettings(v, depth + 1)}${pad}}\n`;
    } else {
      out += `${pad}${key} = ${settingValue(v)}\n`;
    }
  }
  return out;
}

/** charon's log groups (`charon.filelog.<name>.<group>`). */
export type CharonLogGroup =
  | "default"
  | "dmn"
  | "mgr"
  | "ike"
  | "chd"
  | "job"
  | "cfg"
  | "knl"
  | "net"
  | "asn"
  | "enc"
  | "lib"
  | "esp"
  | "tls"
  | "tnc";

/** Plugins of the lab's charon, in the order that makes userspace ESP work. */
export const DEFAULT_PLUGINS: readonly string[] = [
  "random",
  "nonce",
  "openssl",
  "aes",
  "sha1",
  "sha2",
  "hmac",
  "gcm",
  "gmp",
  "kdf",
  "pem",
  "pkcs1",
  "pubkey",
  "x509",
  "kernel-libipsec",
  "kernel-netlink",
  "socket-default",
  "vici",
  "counters",
];

/** Plugins swanctl loads (the default list asks for ones Debian does not ship). */
export const SWANCTL_PLUGINS: readonly string[] = [
  "random",
  "openssl",
  "pem",
  "pkcs1",
  "x509",
  "pubkey",
];

/** Default log levels: informative, without keys. */
export const DEFAULT_LOG_LEVELS: Readonly<Partial<Record<CharonLogGroup, number>>> = {
  default: 1,
  ike: 2,
  chd: 2,
  cfg: 1,
  knl: 2,
  net: 1,
  enc: 1,
  esp: 1,
};

/** charon's retransmission settings (`charon.retransmit_*`). */
export interface RetransmitOptions {
  /** Seconds before the first retransmit (default 4). */
  timeout?: number;
  tries?: number;
  /** Growth factor (default 1.8). */
  base?: number;
  /** Percent of random jitter. */
  jitter?: number;
  /** Upper bound of one interval in seconds. */
  limit?: number;
}

/** Options of a charon instance's strongswan.conf. */
export interface CharonOptions {
  /** Plugins in load order (default {@linkcode DEFAULT_PLUGINS}). */
  plugins?: readonly string[];
  /** Levels per log group, over {@linkcode DEFAULT_LOG_LEVELS}. */
  logLevels?: Partial<Record<CharonLogGroup, number>>;
  /** `ike = 4`, `chd = 4`: every key in the log (kept in the run dir only). */
  logKeys?: boolean;
  /** libipsec's log level: 1 replay/ICV failures, 2 also every received ESP packet. */
  espLog?: 0 | 1 | 2;
  /** Cookies and half-open limits (default on); off for load tests. */
  dosProtection?: boolean;
  /** Reuse an IKE SA with the same peer config on initiate (default on); off for load tests. */
  reuseIkesa?: boolean;
  retransmit?: RetransmitOptions;
  /** `charon.ikesa_table_size` (power of 2) and `ikesa_table_segments`. */
  ikesaTableSize?: number;
  ikesaTableSegments?: number;
  /** IKE ports (default 500 / 4500). */
  port?: number;
  portNatT?: number;
  /** Routing table for the routes to remote TS (default 220). */
  routingTable?: number;
  /** More `charon { ... }` settings, merged last. */
  extra?: SettingsTree;
}

/** Where an instance's files are. */
export interface CharonPaths {
  log: string;
  vici: string;
}

/** Checks the plugin list; returns the problem or undefined. */
export function checkPlugins(plugins: readonly string[]): string | undefined {
  const libipsec = plugins.indexOf("kernel-libipsec");
  const netlink = plugins.indexOf("kernel-netlink");
  if (libipsec >= 0 && netlink >= 0 && netlink < libipsec) {
    return "kernel-libipsec must come before kernel-netlink (else XFRM, which cannot install SAs here)";
  }
  return undefined;
}

/** The whole strongswan.conf of one instance. */
export function renderStrongswanConf(paths: CharonPaths, opts: CharonOptions = {}): string {
  const plugins = opts.plugins ?? DEFAULT_PLUGINS;
  const bad = checkPlugins(plugins);
  if (bad) throw new Error(`Cannot use plugin list: ${bad}`);
  const levels: Partial<Record<CharonLogGroup, number>> = { ...DEFAULT_LOG_LEVELS };
  if (opts.logKeys) Object.assign(levels, { ike: 4, chd: 4 });
  if (opts.espLog !== undefined) levels.esp = opts.espLog;
  Object.assign(levels, opts.logLevels ?? {});
  const r = opts.retransmit ?? {};
  const charon: SettingsTree = {
    load_modular: false,
    load: plugins.join(" "),
    port: opts.port ?? 500,
    port_nat_t: opts.portNatT ?? 4500,
    install_routes: true,
    routing_table: opts.routingTable ?? 220,
    routing_table_prio: opts.routingTable ?? 220,
    dos_protection: opts.dosProtection ?? true,
    reuse_ikesa: opts.reuseIkesa ?? true,
    ikesa_table_size: opts.ikesaTableSize,
    ikesa_table_segments: opts.ikesaTableSegments,
    retransmit_timeout: r.timeout,
    retransmit_tries: r.tries,
    retransmit_base: r.base,
    retransmit_jitter: r.jitter,
    retransmit_limit: r.limit,
    syslog: { daemon: { default: -1 }, auth: { default: -1 } },
    filelog: {
      lab: {
        path: paths.log,
        time_format: "%Y-%m-%d %T",
        time_add_ms: true,
        ike_name: true,
        append: true,
        flush_line: true,
        ...levels,
      },
    },
    plugins: {
      vici: { socket: `unix://${paths.vici}` },
      "kernel-libipsec": { allow_peer_ts: false },
    },
  };
  Object.assign(charon, opts.extra ?? {});
  const swanctl: SettingsTree = { load: SWANCTL_PLUGINS.join(" "), socket: `unix://${paths.vici}` };
  return "# Generated by Tandem's lab (lab/strongswan_conf.ts) for one private charon.\n" +
    renderSettings({ charon, swanctl });
}
