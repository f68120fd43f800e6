/**
 * Test and benchmark helper: a Tandem gateway process
 * (`gateway/standalone.ts`) inside a lab namespace, driven over its
 * stdin/stdout JSON lines, plus the gateway configurations the interop
 * tests and benchmarks share (the lab's strongSwan profiles in the engine's
 * proposal shape).
 *
 * @module
 */
import { waitFor } from "../lab/command.ts";
import type { NetnsLab } from "../lab/netns_lab.ts";
import type { SwanPairResolved, SwanProfileName, SwanSide } from "../lab/swan_pair.ts";
import type { GatewayJson, VpnJson } from "../gateway/standalone_config.ts";
import type { ChildSaInfo, IkeSaInfo } from "../ike/listing.ts";

/** The lab profiles as Tandem proposals (strongSwan's `aes128-sha1-modp1024` etc.). */
export const TANDEM_PROFILES: Record<
  SwanProfileName,
  {
    ike: VpnJson["ike"]["proposals"][number];
    esp: VpnJson["children"][number]["proposals"][number];
  }
> = {
  "ref-noesn": {
    ike: { enc: ["aes128-cbc"], integ: ["hmac-sha1"], dh: ["modp1024"] },
    esp: { enc: ["aes128-cbc"], integ: ["hmac-sha1"], esn: [false] },
  },
  gcm: {
    ike: { enc: ["aes256-gcm-128"], prf: ["hmac-sha256"], dh: ["curve25519"] },
    esp: { enc: ["aes256-gcm-128"], esn: [false] },
  },
  cbc384: {
    ike: { enc: ["aes256-cbc"], integ: ["hmac-sha384"], dh: ["ecp384"] },
    esp: { enc: ["aes256-cbc"], integ: ["hmac-sha384"], esn: [false] },
  },
};

/** The gateway config of side `me` of a swan pair (the other side is the peer). */
export function pairGatewayConfig(
  r: SwanPairResolved,
  me: "a" | "b",
  profile: SwanProfileName,
  extra: {
    esn?: boolean[];
    initiate?: boolean;
    replayWindow?: number;
    logLevel?: GatewayJson["logLevel"];
  } = {},
): GatewayJson {
  const [s, peer]: [SwanSide, SwanSide] = me === "a" ? [r.a, r.b] : [r.b, r.a];
  const p = TANDEM_PROFILES[profile];
  return {
    vrf: me,
    addresses: [s.wan],
    psks: [{ ids: [s.id, peer.id], secret: r.psk }],
    ike: { dosProtection: false },
    logLevel: extra.logLevel ?? "control",
    vpns: [{
      name: r.conn,
      localAddress: s.wan,
      remoteAddress: peer.wan,
      localId: s.id,
      remoteId: peer.id,
      ike: { proposals: [p.ike] },
      children: [{
        name: r.child,
        localTs: [s.ts],
        remoteTs: [peer.ts],
        proposals: [{ ...p.esp, ...(extra.esn ? { esn: extra.esn } : {}) }],
        ...(extra.replayWindow !== undefined ? { replayWindow: extra.replayWindow } : {}),
      }],
    }],
    ...(extra.initiate ? { initiate: [r.conn] } : {}),
  };
}

export interface Listing {
  ike: IkeSaInfo[];
  child: (Omit<ChildSaInfo, "seqOut" | "seqIn"> & { seqOut: string; seqIn: string })[];
}

/** An event line of the gateway. */
export interface GatewayEvent {
  event: string;
  data?: Record<string, unknown>;
}

/** See the module doc. */
export class GatewayNode {
  readonly events: GatewayEvent[] = [];
  readonly #proc: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #waiting = new Map<number, (v: Record<string, unknown>) => void>();
  readonly #done: Promise<void>;
  #nextId = 1;
  #exited = false;

  private constructor(proc: Deno.ChildProcess) {
    this.#proc = proc;
    this.#writer = proc.stdin.getWriter();
    this.#done = this.#read();
  }

  /** Starts a gateway in namespace `ns` with config `cfg`; stopped (SIGTERM, then SIGKILL) at lab dispose. */
  static async start(
    lab: NetnsLab,
    ns: string,
    name: string,
    cfg: GatewayJson,
    opts: { denoArgs?: string[] } = {},
  ): Promise<GatewayNode> {
    const path = `${lab.runDir}/${name}.json`;
    await Deno.writeTextFile(path, JSON.stringify(cfg), { mode: 0o600 });
    const script = new URL("../gateway/standalone.ts", import.meta.url).pathname;
    const errPath = `${lab.runDir}/${name}.err`;
    const err = await Deno.open(errPath, { write: true, create: true, truncate: true });
    const proc = new Deno.Command("ip", {
      args: [
        "netns",
        "exec",
        ns,
        Deno.execPath(),
        "run",
        "-A",
        ...(opts.denoArgs ?? []),
        script,
        "--config",
        path,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    proc.stderr.pipeTo(err.writable).catch(() => {});
    const node = new GatewayNode(proc);
    node.stderrPath = errPath;
    lab.onDispose(async () => {
      await node.stop();
    });
    await node.waitEvent((e) => e.event === "ready", "the gateway to start", 20_000);
    return node;
  }

  stderrPath = "";

  get pid(): number {
    return this.#proc.pid;
  }

  get running(): boolean {
    return !this.#exited;
  }

  async #read(): Promise<void> {
    let buf = "";
    const dec = new TextDecoder();
    try {
      for await (const chunk of this.#proc.stdout) {
        buf += dec.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          let v: Record<string, unknown>;
          try {
            v = JSON.parse(line);
          } catch {
            continue;
          }
          if (typeof v.reply === "string") {
            const id = Number(v.id);
            this.#waiting.get(id)?.(v);
            this.#waiting.delete(id);
          } else this.events.push(v as unknown as GatewayEvent);
        }
      }
    } finally {
      this.#exited = true;
    }
  }

  /** Sends a command and waits for its reply. */
  async call(cmd: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    if (this.#exited) {
      throw new Error(`Cannot send "${cmd}": the gateway exited (${await this.stderrTail()})`);
    }
    const id = this.#nextId++;
    const reply = new Promise<Record<string, unknown>>((resolve) => this.#waiting.set(id, resolve));
    await this.#writer.write(new TextEncoder().encode(JSON.stringify({ cmd, id, ...args }) + "\n"));
    return await reply;
  }

  list(): Promise<Listing> {
    return this.call("list") as Promise<unknown> as Promise<Listing>;
  }

  /** Polls `list` until `pred` holds. */
  until(pred: (l: Listing) => boolean, what: string, timeoutMs = 20_000): Promise<Listing> {
    return waitFor(async () => {
      const l = await this.list();
      return pred(l) ? l : undefined;
    }, { timeoutMs, what, detail: () => this.stderrTail() });
  }

  /** Waits for an event line matching `pred` (already seen ones count). */
  waitEvent(
    pred: (e: GatewayEvent) => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<GatewayEvent> {
    return waitFor(() => {
      if (this.#exited) throw new Error(`The gateway exited while waiting for ${what}`);
      return Promise.resolve(this.events.find(pred));
    }, { timeoutMs, what, detail: () => this.stderrTail() });
  }

  /** The last lines of the gateway's log. */
  async stderrTail(lines = 30): Promise<string> {
    const text = await Deno.readTextFile(this.stderrPath).catch(() => "");
    return text.split("\n").slice(-lines).join("\n");
  }

  /** SIGTERM (clean shutdown: IKE deletes sent) and wait; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<Deno.CommandStatus> {
    if (!this.#exited) {
      try {
        this.#proc.kill("SIGTERM");
      } catch { /* gone */ }
      const timer = setTimeout(() => {
        try {
          this.#proc.kill("SIGKILL");
        } catch { /* gone */ }
      }, timeoutMs);
      try {
        await this.#done;
      } finally {
        clearTimeout(timer);
      }
    }
    await this.#writer.close().catch(() => {});
    return await this.#proc.status;
  }
}
