/**
 * What the interop tests against strongSwan share: the Tandem node in
 * gateway A (a Deno child process, `tests/ike_interop_node.ts`, with real
 * UDP sockets in A's namespace), the proposal profiles both sides use,
 * building the lab with charon in gateway B, and the checks that both
 * sides agree on every SA (same IKE SPIs, CHILD SPIs crosswise).
 *
 * Waits are condition-driven with generous deadlines (the lab machine has
 * two shared vCPUs): a condition is polled on both sides until it holds,
 * never a fixed sleep.
 *
 * @module
 */
import { assertEquals } from "./assert.ts";
import type { NetnsLab } from "./netns.ts";
import { run, waitFor } from "../lab/command.ts";
import {
  peerUp,
  type SwanPairLab,
  type SwanPairParams,
  type SwanPairResolved,
  type SwanProfile,
} from "../lab/swan_pair.ts";
import type { IkeSa } from "../lab/swanctl_output.ts";
import type {
  EspProposalConfig,
  GlobalOptions,
  IkeProposalConfig,
  UniqueSa,
} from "../ike/config.ts";
import type { DropReason, IkeCounters } from "../ike/counters.ts";
import type { ChildSaInfo, IkeSaInfo } from "../ike/listing.ts";

/** Programs an interop test needs (`rootTest` skips without them). */
export const SWAN = {
  programs: ["swanctl", "charon"],
  programPaths: ["/usr/lib/ipsec", "/usr/libexec/ipsec"],
};

/** Generous deadline of one wait, for a loaded 2-vCPU machine. */
export const DEADLINE_MS = 30_000;

/** One VPN of the node, JSON-friendly; a `null` selector is dynamic (the endpoint or its VIP). */
export interface NodeVpn {
  name: string;
  /** Absent: responder only, any peer address. */
  remote?: string;
  localId?: string;
  remoteId?: string;
  ike: IkeProposalConfig[];
  esp: EspProposalConfig[];
  child?: string;
  localTs: (string | null)[];
  remoteTs: (string | null)[];
  rekeyTime?: number;
  childRekeyTime?: number;
  dpdDelay?: number;
  keyingTries?: number;
  uniqueSa?: UniqueSa;
  requestVip?: boolean;
  vipPool?: string;
}

/** What `tests/ike_interop_node.ts` is started with. */
export interface NodeConfig {
  local: string;
  psk: string;
  vpns: NodeVpn[];
  options?: Partial<GlobalOptions>;
  pools?: { name: string; prefix: string }[];
  /** Log threshold of the node (default `detail`). */
  logLevel?: string;
  /** Forward engine events to stdout. */
  events?: boolean;
  /** Keep the last N received datagrams for `received`. */
  record?: number;
}

/** An IKE SA as the node lists it: addresses as text. */
export type NodeIkeSa =
  & Omit<IkeSaInfo, "local" | "remote" | "localVips" | "remoteVips">
  & {
    local: { address: string; port: number };
    remote: { address: string; port: number };
    localVips: string[];
    remoteVips: string[];
  };

/** What the node's `list` answers. */
export interface Listing {
  ike: NodeIkeSa[];
  child: ChildSaInfo[];
  drops: Record<DropReason, number>;
  counters: IkeCounters;
  dataplane: number;
}

/** An engine event as the node forwards it. */
export interface NodeEvent {
  event: string;
  data: Record<string, unknown>;
}

/** IKE and ESP proposals of a profile, on both sides. */
export interface Profile {
  name: string;
  swan: SwanProfile;
  /** What `swanctl --list-sas` shows for the IKE SA and the CHILD SA. */
  swanAlgs: { ike: string; esp: string };
  ike: IkeProposalConfig;
  esp: EspProposalConfig;
}

/** The three proposals of the interop matrix (no ESN: libipsec refuses it). */
export const PROFILES: readonly Profile[] = [
  {
    name: "ref-noesn",
    swan: { ike: "aes128-sha1-modp1024", esp: "aes128-sha1" },
    swanAlgs: {
      ike: "AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
      esp: "AES_CBC-128/HMAC_SHA1_96",
    },
    ike: { enc: ["aes128-cbc"], integ: ["hmac-sha1"], prf: [], dh: ["modp1024"] },
    esp: { enc: ["aes128-cbc"], integ: ["hmac-sha1"], dh: [], esn: [false] },
  },
  {
    name: "gcm",
    swan: { ike: "aes256gcm16-prfsha256-x25519", esp: "aes256gcm16" },
    swanAlgs: { ike: "AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519", esp: "AES_GCM_16-256" },
    ike: { enc: ["aes256-gcm-128"], integ: [], prf: ["hmac-sha256"], dh: ["curve25519"] },
    esp: { enc: ["aes256-gcm-128"], integ: [], dh: [], esn: [false] },
  },
  {
    name: "cbc384",
    swan: { ike: "aes256-sha384-ecp384", esp: "aes256-sha384" },
    swanAlgs: {
      ike: "AES_CBC-256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384",
      esp: "AES_CBC-256/HMAC_SHA2_384_192",
    },
    ike: { enc: ["aes256-cbc"], integ: ["hmac-sha384"], prf: [], dh: ["ecp384"] },
    esp: { enc: ["aes256-cbc"], integ: ["hmac-sha384"], dh: [], esn: [false] },
  },
];

export const REF = PROFILES[0]!;
export const GCM = PROFILES[1]!;

function splitLines(): TransformStream<string, string> {
  let buf = "";
  return new TransformStream({
    transform(chunk, ctl) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        ctl.enqueue(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    },
  });
}

/** The Tandem node in a namespace, spoken to over stdin/stdout. */
export class TandemNode {
  readonly events: NodeEvent[] = [];
  readonly #proc: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pending = new Map<number, (v: Record<string, unknown>) => void>();
  readonly #ready: Promise<void>;
  #id = 0;
  #exited = false;

  constructor(ns: string, readonly config: NodeConfig) {
    const script = new URL("./ike_interop_node.ts", import.meta.url).pathname;
    this.#proc = new Deno.Command("ip", {
      args: [
        "netns",
        "exec",
        ns,
        Deno.execPath(),
        "run",
        "-A",
        "--unstable-net",
        script,
        JSON.stringify(config),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#proc.stdin.getWriter();
    let ready!: () => void;
    this.#ready = new Promise((r) => (ready = r));
    this.#read(ready);
    this.#proc.status.then(() => {
      this.#exited = true;
      ready();
    });
  }

  /** Starts a node and waits until its sockets are open; it is killed when the lab is disposed. */
  static async start(lab: NetnsLab, ns: string, config: NodeConfig): Promise<TandemNode> {
    const node = new TandemNode(ns, config);
    lab.onDispose(() => node.kill());
    await node.#ready;
    if (node.#exited) throw new Error("Tandem node exited during startup");
    return node;
  }

  get pid(): number {
    return this.#proc.pid;
  }

  get running(): boolean {
    return !this.#exited;
  }

  async #read(ready: () => void): Promise<void> {
    const lines = this.#proc.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines());
    try {
      for await (const line of lines) {
        const v = JSON.parse(line) as Record<string, unknown>;
        if (v.ready) ready();
        else if (typeof v.event === "string") this.events.push(v as unknown as NodeEvent);
        else if (typeof v.id === "number") {
          this.#pending.get(v.id)?.(v);
          this.#pending.delete(v.id);
        }
      }
    } catch {
      // the node went away; callers see it through `running`
    }
  }

  /** Sends a command and returns its answer. */
  async call(cmd: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    if (this.#exited) throw new Error(`Tandem node has exited (command ${cmd})`);
    const id = ++this.#id;
    const answer = new Promise<Record<string, unknown>>((r) => this.#pending.set(id, r));
    const gone = this.#proc.status.then(() => {
      throw new Error(`Tandem node exited during command ${cmd}`);
    });
    await this.#writer.write(
      new TextEncoder().encode(JSON.stringify({ id, cmd, ...extra }) + "\n"),
    );
    return await Promise.race([answer, gone]);
  }

  list(): Promise<Listing> {
    return this.call("list") as Promise<unknown> as Promise<Listing>;
  }

  /** The node's recent log lines, for failure messages. */
  async logText(): Promise<string> {
    if (this.#exited) return "(node exited)";
    return ((await this.call("log")).log as string[]).join("\n");
  }

  /** Polls `list` until `pred` holds. */
  until(pred: (l: Listing) => boolean, what: string, timeoutMs = DEADLINE_MS): Promise<Listing> {
    return waitFor(async () => {
      const l = await this.list();
      return pred(l) ? l : undefined;
    }, { timeoutMs, intervalMs: 100, what, detail: () => this.logText() });
  }

  /** Waits for an event (forwarded with `events: true`) at index `from` or later. */
  waitEvent(
    pred: (e: NodeEvent) => boolean,
    what: string,
    opts: { from?: number; timeoutMs?: number } = {},
  ): Promise<NodeEvent> {
    return waitFor(() => this.events.slice(opts.from ?? 0).find(pred), {
      timeoutMs: opts.timeoutMs ?? DEADLINE_MS,
      what,
      detail: () => this.logText(),
    });
  }

  /** SIGKILL: a crash that tells nobody. */
  async kill(): Promise<void> {
    if (!this.#exited) {
      try {
        this.#proc.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await this.#proc.status;
    await this.#writer.close().catch(() => {});
  }

  /** Clean shutdown: deletes its SAs (telling the peer), then exits. */
  async close(): Promise<void> {
    if (!this.#exited) await this.call("quit").catch(() => {});
    await this.#writer.close().catch(() => {});
    await this.#proc.status;
  }
}

/** Options of {@linkcode interop}. */
export interface InteropOptions {
  profile?: Profile;
  /** Lab parameters (charon options, connection and child overrides). */
  swan?: Omit<SwanPairParams, "profile">;
  /** Changes to the node's one VPN. */
  vpn?: Partial<NodeVpn>;
  /** Other node settings (options, pools, ...). */
  node?: Partial<Omit<NodeConfig, "vpns">>;
}

/** A lab with charon in B and the Tandem node in A. */
export interface Interop {
  pair: SwanPairLab;
  node: TandemNode;
  profile: Profile;
}

/** The node's VPN toward charon B, as the lab's parameters describe it. */
export function nodeVpn(
  p: SwanPairResolved,
  profile: Profile,
  over: Partial<NodeVpn> = {},
): NodeVpn {
  return {
    name: "vpn",
    remote: p.b.wan,
    localId: p.a.id,
    remoteId: p.b.id,
    ike: [profile.ike],
    esp: [profile.esp],
    localTs: [p.a.ts],
    remoteTs: [p.b.ts],
    ...over,
  };
}

/** Builds the topology, starts charon in B (config loaded) and the Tandem node in A. */
export async function interop(lab: NetnsLab, o: InteropOptions = {}): Promise<Interop> {
  const profile = o.profile ?? REF;
  const pair = await peerUp(lab, { ...o.swan, profile: profile.swan });
  const node = await TandemNode.start(lab, pair.gwA, {
    local: pair.params.a.wan,
    psk: pair.params.psk,
    events: true,
    ...o.node,
    vpns: [nodeVpn(pair.params, profile, o.vpn)],
  });
  return { pair, node, profile };
}

const established = (l: Listing) => l.ike.filter((i) => i.state === "established");
const installed = (l: Listing) => l.child.filter((c) => c.state === "installed");

/** strongSwan's established IKE SPI pairs and installed CHILD SPI pairs (as ours: in/out), sorted. */
function swanView(swan: IkeSa[]): { ike: string[]; child: string[] } {
  const sIke = swan.filter((s) => s.state === "ESTABLISHED");
  return {
    ike: sIke.map((s) => `${s.initiatorSpi}_${s.responderSpi}`).sort(),
    child: sIke.flatMap((s) =>
      s.childSas.filter((c) => c.state === "INSTALLED").map((c) => `${c.spiOut}/${c.spiIn}`)
    ).sort(),
  };
}

/** Whether both sides show exactly the same established IKE SAs and installed CHILD SAs. */
export function mirrored(ours: Listing, swan: IkeSa[]): boolean {
  const theirs = swanView(swan);
  const ike = established(ours).map((i) => `${i.spiI}_${i.spiR}`).sort();
  const child = installed(ours).map((c) => `${c.spiIn}/${c.spiOut}`).sort();
  return JSON.stringify({ ike, child }) === JSON.stringify(theirs) &&
    // transitional states gone on both sides; strongSwan keeps the inbound half of a
    // rekeyed CHILD SA for `delete_rekeyed_delay` (5 s) in state DELETED: gone for the peer
    ours.ike.length === ike.length && ours.child.length === child.length &&
    swan.length === theirs.ike.length &&
    swan.every((s) => s.childSas.every((c) => c.state === "INSTALLED" || c.state === "DELETED"));
}

/** Both sides' views once they mirror each other and `pred` holds. */
export interface Converged {
  ours: Listing;
  swan: IkeSa[];
}

/** Polls both sides until they mirror each other and `pred` holds. */
export async function converge(
  x: Interop,
  pred: (ours: Listing, swan: IkeSa[]) => boolean,
  what: string,
  timeoutMs = DEADLINE_MS,
): Promise<Converged> {
  let last: Converged | undefined;
  return await waitFor(async () => {
    const ours = await x.node.list();
    const swan = await x.pair.b.listSas();
    last = { ours, swan };
    return mirrored(ours, swan) && pred(ours, swan) ? last : undefined;
  }, {
    timeoutMs,
    intervalMs: 100,
    what: `${what} (both sides agreeing)`,
    detail: async () =>
      `Tandem: ${JSON.stringify(last?.ours.ike)}\n${JSON.stringify(last?.ours.child)}\n` +
      `strongSwan: ${JSON.stringify(last?.swan)}\n${await x.node.logText()}\n` +
      await x.pair.b.diagnostics(),
  });
}

/** Exactly `ike` IKE SAs with `child` CHILD SAs in total, the same on both sides. */
export const counts = (ike: number, child: number): (ours: Listing) => boolean => (ours) =>
  established(ours).length === ike && installed(ours).length === child;

/** The algorithms strongSwan lists for an SA, `ENC-bits/INTEG/PRF/DH` (absent parts left out). */
export function swanAlgorithms(
  s: {
    encrAlg?: string;
    encrKeysize?: number;
    integAlg?: string;
    prfAlg?: string;
    dhGroup?: string;
  },
): string {
  const enc = s.encrKeysize ? `${s.encrAlg}-${s.encrKeysize}` : s.encrAlg;
  return [enc, s.integAlg, s.prfAlg, s.dhGroup].filter((x) => x !== undefined).join("/");
}

/** Asserts the converged state: the profile's algorithms, IKE and ESP on UDP 4500. */
export function assertShape(c: Converged, p: Profile): void {
  for (const s of c.swan) {
    assertEquals(swanAlgorithms(s), p.swanAlgs.ike, "IKE SA algorithms on strongSwan");
    assertEquals([s.localPort, s.remotePort], [4500, 4500], "IKE floated to 4500 (fake NAT)");
    for (const ch of s.childSas.filter((x) => x.state === "INSTALLED")) {
      assertEquals(swanAlgorithms(ch), p.swanAlgs.esp, "CHILD SA algorithms on strongSwan");
      assertEquals([ch.encap, ch.mode], [true, "TUNNEL"], "ESP in UDP, tunnel mode");
    }
  }
  for (const i of c.ours.ike) assertEquals([i.local.port, i.remote.port], [4500, 4500]);
  for (const ch of c.ours.child) assertEquals([ch.encap, ch.mode], [true, "tunnel"]);
}

/** Hex of bytes. */
export const toHex = (b: Uint8Array): string =>
  [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** Bytes of hex. */
export const fromHex = (s: string): Uint8Array =>
  Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

/**
 * Sends datagrams from an ephemeral UDP port of `from` in namespace `ns`
 * (a raw peer beside charon) to `to`; returns the source port used.
 */
export async function sendRaw(
  ns: string,
  from: string,
  to: string,
  datagrams: readonly { port: number; data: Uint8Array }[],
): Promise<number> {
  const script = new URL("./ike_interop_sender.ts", import.meta.url).pathname;
  const r = await run(
    ["ip", "netns", "exec", ns, Deno.execPath(), "run", "-A", "--unstable-net", script, from, to],
    true,
    { stdin: JSON.stringify(datagrams.map((d) => ({ port: d.port, hex: toHex(d.data) }))) },
  );
  return (JSON.parse(r.stdout) as { port: number }).port;
}

/**
 * Nothing went wrong on the way: Tandem dropped no datagram and charon
 * logged no ignored, invalid, failed or retransmitted message.
 */
export async function assertClean(x: Interop): Promise<void> {
  const l = await x.node.list();
  const drops = Object.entries(l.drops).filter(([, n]) => n > 0);
  assertEquals(drops, [], "Tandem dropped nothing");
  const bad = (await x.pair.b.logLines()).filter((line) =>
    /ignor|invalid|failed|unexpected|retransmit/i.test(line)
  );
  assertEquals(bad, [], "charon saw nothing wrong");
}
