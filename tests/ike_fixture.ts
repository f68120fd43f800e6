/**
 * In-memory fixture for whole IKE exchanges (strongSwan's exchange-test
 * style): engines under one FakeClock, a fake wire between them that can
 * drop, duplicate, delay and reorder datagrams and translate addresses like
 * a NAT, and a fake dataplane recording what the engine installs.
 *
 * @module
 */
import { FakeClock } from "../core/clock.ts";
import { formatIp, type IpAddress, parseIp, parsePrefix } from "../core/ip.ts";
import { LogHub } from "../core/log.ts";
import { SeededRng } from "../core/rng.ts";
import type {
  ChildConfig,
  EspProposalConfig,
  GlobalOptions,
  IkePolicy,
  IkeProposalConfig,
  VpnConfig,
} from "../ike/config.ts";
import { parseIdentity } from "../ike/identity.ts";
import { IkeInstance } from "../ike/instance.ts";
import type {
  Dataplane,
  DataplaneCounters,
  DataplaneResult,
  DataplaneSa,
  Endpoint,
  VipPool,
} from "../ike/ports.ts";
import { PskTable } from "../ike/psk.ts";

/** A datagram on the fake wire. */
export interface Datagram {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly data: Uint8Array;
}

const key = (ep: Endpoint) => `${formatIp(ep.address)}:${ep.port}`;

/** Records every CHILD SA the engine installs; counters are settable by tests. */
export class FakeDataplane implements Dataplane {
  readonly sas = new Map<string, DataplaneSa>();
  readonly removed: string[] = [];
  /** SA ids in the order they took over outbound traffic. */
  readonly outbound: string[] = [];
  readonly counterValues = new Map<string, DataplaneCounters>();
  refuse: string | undefined;

  install(sa: DataplaneSa): DataplaneResult {
    if (this.refuse) return { ok: false, reason: this.refuse };
    this.sas.set(sa.id, sa);
    if (sa.outboundNow) this.outbound.push(sa.id);
    return { ok: true };
  }
  activateOutbound(id: string): void {
    this.outbound.push(id);
  }
  update(id: string, change: { local: Endpoint; remote: Endpoint; encap: boolean }): void {
    const sa = this.sas.get(id);
    if (sa) this.sas.set(id, { ...sa, ...change });
  }
  remove(id: string): void {
    this.sas.delete(id);
    this.removed.push(id);
  }
  counters(id: string): DataplaneCounters | undefined {
    return this.counterValues.get(id);
  }
}

/** One gateway of the fixture. */
export interface Node {
  readonly name: string;
  readonly address: IpAddress;
  readonly ike: IkeInstance;
  readonly dataplane: FakeDataplane;
  readonly psk: PskTable;
  readonly pools: Map<string, VipPool>;
  readonly logs: LogHub;
}

/** Decides what happens to a datagram: deliver after `delay` ms, several times, or not at all. */
export type WireRule = (
  d: Datagram,
  n: number,
) => { drop?: boolean; copies?: number; delay?: number } | undefined;

/** A network joining the nodes, with an optional NAT in front of some of them. */
export class FakeWire {
  readonly log: Datagram[] = [];
  readonly #nodes = new Map<string, Node>();
  /** Private address → public address of nodes behind a NAT. */
  readonly #nat = new Map<string, IpAddress>();
  /** public "ip:port" → private endpoint. */
  readonly #natIn = new Map<string, Endpoint>();
  #natPort = 40000;
  rules: WireRule[] = [];
  latency = 1;

  constructor(readonly clock: FakeClock) {}

  attach(node: Node): void {
    this.#nodes.set(formatIp(node.address), node);
  }

  /** Puts `node` behind a NAT that shows `publicIp` outside. */
  natFor(node: Node, publicIp: string): void {
    this.#nat.set(formatIp(node.address), parseIp(publicIp));
    this.#nodes.set(publicIp, node);
  }

  send(from: Endpoint, to: Endpoint, data: Uint8Array): void {
    let src = from;
    const pub = this.#nat.get(formatIp(from.address));
    if (pub) {
      const existing = [...this.#natIn.entries()].find(([, v]) => key(v) === key(from));
      const port = existing ? Number(existing[0].split(":").pop()) : this.#natPort++;
      src = { address: pub, port };
      this.#natIn.set(key(src), from);
    }
    const d: Datagram = { from: src, to, data: data.slice() };
    this.log.push(d);
    const n = this.log.length;
    let copies = 1;
    let delay = this.latency;
    for (const r of this.rules) {
      const v = r(d, n);
      if (v?.drop) return;
      if (v?.copies !== undefined) copies = v.copies;
      if (v?.delay !== undefined) delay = v.delay;
    }
    for (let i = 0; i < copies; i++) this.clock.setTimer(delay, () => this.#deliver(d));
  }

  #deliver(d: Datagram): void {
    const inner = this.#natIn.get(key(d.to));
    const to = inner ?? d.to;
    const node = this.#nodes.get(formatIp(d.to.address));
    node?.ike.receive(d.data, to, d.from);
  }
}

export const IKE_DEFAULT: IkeProposalConfig = {
  enc: ["aes128-cbc"],
  integ: ["hmac-sha256"],
  prf: [],
  dh: ["curve25519"],
};
export const ESP_DEFAULT: EspProposalConfig = {
  enc: ["aes128-gcm-128"],
  integ: [],
  dh: [],
  esn: [false],
};

/** A CHILD config `net`: local ⇄ remote subnets, tunnel mode, 1 h rekey. */
export function child(local: string, remote: string, over: Partial<ChildConfig> = {}): ChildConfig {
  return {
    name: "net",
    localTs: [{ prefix: parsePrefix(local), protocol: 0 }],
    remoteTs: [{ prefix: parsePrefix(remote), protocol: 0 }],
    mode: "tunnel",
    proposals: [ESP_DEFAULT],
    rekeyTime: 3600,
    replayWindow: 32,
    ...over,
  };
}

/** An IKE policy with test defaults. */
export function ikePolicy(over: Partial<IkePolicy> = {}): IkePolicy {
  return {
    proposals: [IKE_DEFAULT],
    rekeyTime: 4 * 3600,
    reauthTime: 0,
    keyingTries: 1,
    uniqueSa: "no",
    dpdDelay: 0,
    ...over,
  };
}

/** A VPN named `vpn` between two addresses. */
export function vpn(
  local: string,
  remote: string | undefined,
  over: Partial<VpnConfig> = {},
): VpnConfig {
  return {
    name: "vpn",
    vrf: "main",
    localAddress: parseIp(local),
    ...(remote ? { remoteAddress: parseIp(remote) } : {}),
    ike: ikePolicy(),
    children: [],
    requestVip: false,
    ...over,
  };
}

export const PSK = new TextEncoder().encode("tandem-test-psk");

/** A node with an engine wired to the wire, a PSK table holding {@linkcode PSK} for everyone. */
export function node(
  wire: FakeWire,
  name: string,
  address: string,
  vpns: VpnConfig[],
  seed: number,
  options: Partial<GlobalOptions> = {},
): Node {
  const logs = new LogHub({ wallNow: () => wire.clock.wallNow(), level: "detail" });
  const dataplane = new FakeDataplane();
  const psk = new PskTable([{ name: "all", ids: [], secret: PSK }]);
  const pools = new Map<string, VipPool>();
  const ike = new IkeInstance({
    vrf: "main",
    vpns,
    options,
    ports: {
      clock: wire.clock,
      rng: new SeededRng(seed),
      log: { ike: logs.logger("ike"), chd: logs.logger("chd"), enc: logs.logger("enc") },
      transport: { send: (l, r, d) => wire.send(l, r, d) },
      dataplane,
      psk,
      pools: (n) => pools.get(n),
    },
  });
  const n: Node = { name, address: parseIp(address), ike, dataplane, psk, pools, logs };
  wire.attach(n);
  return n;
}

/** Two nodes and their wire. */
export interface Pair {
  readonly clock: FakeClock;
  readonly wire: FakeWire;
  readonly a: Node;
  readonly b: Node;
}

/** Two nodes, `a` initiating to `b`, with the given VPN tweaks on both. */
export function pair(
  over: { a?: Partial<VpnConfig>; b?: Partial<VpnConfig>; options?: Partial<GlobalOptions> } = {},
  seed = 1,
): Pair {
  const clock = new FakeClock();
  const wire = new FakeWire(clock);
  const a = node(
    wire,
    "a",
    "192.0.2.1",
    [
      vpn("192.0.2.1", "198.51.100.2", {
        children: [child("10.1.0.0/24", "10.2.0.0/24")],
        ...over.a,
      }),
    ],
    seed,
    over.options,
  );
  const b = node(
    wire,
    "b",
    "198.51.100.2",
    [
      vpn("198.51.100.2", "192.0.2.1", {
        children: [child("10.2.0.0/24", "10.1.0.0/24")],
        ...over.b,
      }),
    ],
    seed + 1000,
    over.options,
  );
  return { clock, wire, a, b };
}

/** The states of a node's IKE SAs. */
export function states(n: Node): string[] {
  return n.ike.listIkeSas().map((s) => s.state);
}

/** A pair with the IKE SA and its CHILD SA already up (throws otherwise). */
export function establishedPair(over: Parameters<typeof pair>[0] = {}, seed = 1): Pair {
  const p = pair(over, seed);
  p.a.ike.initiate("vpn");
  p.clock.advance(100);
  if (!mirrored(p.a, p.b)) throw new Error(`no SA between a and b\n${dump(p.a)}\n${dump(p.b)}`);
  return p;
}

/** The identity text helper tests use. */
export const id = parseIdentity;

/** Whether two nodes' CHILD SAs mirror each other (SPIs and keys crosswise). */
export function mirrored(a: Node, b: Node): boolean {
  const as = [...a.dataplane.sas.values()];
  const bs = [...b.dataplane.sas.values()];
  if (as.length === 0 || as.length !== bs.length) return false;
  const eq = (x: Uint8Array | undefined, y: Uint8Array | undefined) =>
    (x === undefined && y === undefined) ||
    (x !== undefined && y !== undefined && x.length === y.length && x.every((v, i) => v === y[i]));
  return as.every((x) =>
    bs.some((y) =>
      x.inbound.spi === y.outbound.spi && x.outbound.spi === y.inbound.spi &&
      eq(x.inbound.encKey, y.outbound.encKey) && eq(x.outbound.encKey, y.inbound.encKey) &&
      eq(x.inbound.integKey, y.outbound.integKey)
    )
  );
}

/** Log lines of a node, for failure messages. */
export function dump(n: Node): string {
  return n.logs.recent().map((r) => `${n.name} ${r.subsystem} ${r.message}`).join("\n");
}
