/**
 * Tandem's IKE engine against a real strongSwan 5.9.8 (kernel-libipsec) in
 * network namespaces: Tandem in gateway A (a Deno child process with real
 * UDP sockets, `tests/ike_interop_node.ts`), charon in gateway B. IKE only:
 * the CHILD SAs are negotiated and agreed on (SPIs, algorithms, selectors,
 * UDP encapsulation) but no ESP flows, Tandem's dataplane being a recorder.
 * strongSwan fakes a NAT, so IKE floats to 4500 and the CHILD SA is
 * UDP-encapsulated.
 */
import { assert, assertEquals, assertNotEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { waitFor } from "../lab/command.ts";
import { peerUp, type SwanPairLab } from "../lab/swan_pair.ts";
import type { EspProposalConfig, IkeProposalConfig } from "../ike/config.ts";
import type { ChildSaInfo, IkeSaInfo } from "../ike/listing.ts";

const SWAN = {
  programs: ["swanctl", "charon"],
  programPaths: ["/usr/lib/ipsec", "/usr/libexec/ipsec"],
};

interface Listing {
  ike: IkeSaInfo[];
  child: ChildSaInfo[];
}

/** The Tandem node in namespace A, spoken to over stdin/stdout. */
class TandemNode {
  #proc: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;

  constructor(ns: string, config: unknown) {
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
    this.#lines = this.#proc.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines())
      [Symbol.asyncIterator]();
  }

  async next(): Promise<Record<string, unknown>> {
    const r = await this.#lines.next();
    if (r.done) throw new Error("Tandem node exited");
    return JSON.parse(r.value);
  }

  async call(cmd: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify({ cmd, ...extra }) + "\n"));
    return this.next();
  }

  list(): Promise<Listing> {
    return this.call("list") as Promise<unknown> as Promise<Listing>;
  }

  async until(pred: (l: Listing) => boolean, what: string): Promise<Listing> {
    return await waitFor(async () => {
      const l = await this.list();
      return pred(l) ? l : undefined;
    }, {
      timeoutMs: 15_000,
      what,
      detail: async () => JSON.stringify((await this.call("log")).log, null, 1),
    });
  }

  async close(): Promise<void> {
    try {
      await this.call("quit");
    } catch {
      // already gone
    }
    await this.#writer.close().catch(() => {});
    await this.#proc.status;
  }
}

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

const PROFILES: { name: "ref-noesn" | "gcm"; ike: IkeProposalConfig; esp: EspProposalConfig }[] = [
  {
    name: "ref-noesn",
    ike: { enc: ["aes128-cbc"], integ: ["hmac-sha1"], prf: [], dh: ["modp1024"] },
    esp: { enc: ["aes128-cbc"], integ: ["hmac-sha1"], dh: [], esn: [false] },
  },
  {
    name: "gcm",
    ike: { enc: ["aes256-gcm-128"], integ: [], prf: ["hmac-sha256"], dh: ["curve25519"] },
    esp: { enc: ["aes256-gcm-128"], integ: [], dh: [], esn: [false] },
  },
];

const established = (l: Listing) =>
  l.ike.length === 1 && l.ike[0]!.state === "established" &&
  l.child.filter((c) => c.state === "installed").length === 1;

for (const profile of PROFILES) {
  rootTest(
    `ike interop (${profile.name}): Tandem initiates, rekeys, is rekeyed, deletes; strongSwan initiates`,
    async () => {
      await using lab = new NetnsLab("ti");
      const pair: SwanPairLab = await peerUp(lab, { profile: profile.name });
      const p = pair.params;
      const node = new TandemNode(pair.gwA, {
        local: p.a.wan,
        remote: p.b.wan,
        localId: p.a.id,
        remoteId: p.b.id,
        localTs: p.a.ts,
        remoteTs: p.b.ts,
        psk: p.psk,
        ike: profile.ike,
        esp: profile.esp,
      });
      try {
        assertEquals(await node.next(), { ready: true });
        await node.call("initiate");
        let ours = await node.until(established, "Tandem's IKE SA and CHILD SA");
        let swan = await pair.b.waitForSas((s) =>
          s[0]?.childSas.some((c) => c.state === "INSTALLED") ?? false
        );
        const check = () => {
          const [i, c] = [ours.ike[0]!, ours.child.find((x) => x.state === "installed")!];
          const [si, sc] = [swan[0]!, swan[0]!.childSas.find((x) => x.state === "INSTALLED")!];
          assertEquals([i.spiI, i.spiR], [si.initiatorSpi, si.responderSpi]);
          assertEquals([c.spiIn, c.spiOut], [sc.spiOut, sc.spiIn], "CHILD SPIs crosswise");
          assertEquals([i.local.port, i.remote.port, c.encap, sc.encap], [4500, 4500, true, true]);
          assertEquals([c.localTs, c.remoteTs], [[p.a.ts], [p.b.ts]]);
        };
        check();
        assertEquals([swan[0]!.localId, swan[0]!.remoteId], [p.b.id, p.a.id]);

        // CHILD rekey from Tandem, then from strongSwan.
        const spi0 = ours.child[0]!.spiIn;
        await node.call("rekey-child", { spi: spi0 });
        ours = await node.until(
          (l) => established(l) && l.child[0]!.spiIn !== spi0,
          "CHILD rekey by Tandem",
        );
        swan = await pair.b.waitForSas((s) =>
          s[0]?.childSas.length === 1 && s[0].childSas[0]!.spiOut === ours.child[0]!.spiIn
        );
        check();
        const spi1 = ours.child[0]!.spiIn;
        await pair.b.rekey({ child: p.child });
        ours = await node.until(
          (l) => established(l) && l.child.length === 1 && l.child[0]!.spiIn !== spi1,
          "CHILD rekey by strongSwan",
        );
        swan = await pair.b.waitForSas((s) =>
          s[0]?.childSas.length === 1 && s[0].childSas[0]!.spiOut === ours.child[0]!.spiIn
        );
        check();

        // IKE rekey from strongSwan, then from Tandem.
        const ike0 = ours.ike[0]!.spiI;
        await pair.b.rekey({ ike: p.conn });
        ours = await node.until(
          (l) => established(l) && l.ike[0]!.spiI !== ike0,
          "IKE rekey by strongSwan",
        );
        swan = await pair.b.waitForSas((s) =>
          s.length === 1 && s[0]!.state === "ESTABLISHED" &&
          s[0]!.initiatorSpi === ours.ike[0]!.spiI
        );
        check();
        const ike1 = ours.ike[0]!.spiI;
        await node.call("rekey-ike");
        ours = await node.until(
          (l) => established(l) && l.ike[0]!.spiI !== ike1,
          "IKE rekey by Tandem",
        );
        swan = await pair.b.waitForSas((s) =>
          s.length === 1 && s[0]!.initiatorSpi === ours.ike[0]!.spiI
        );
        check();
        assertEquals(ours.ike[0]!.initiator, true);

        // Delete from Tandem.
        await node.call("terminate");
        await node.until((l) => l.ike.length === 0, "Tandem's SAs gone");
        await pair.b.waitForSas((s) => s.length === 0, { what: "no SA left on strongSwan" });

        // strongSwan initiates to Tandem, then deletes.
        await pair.b.initiate({ child: p.child });
        ours = await node.until(established, "Tandem as responder");
        swan = await pair.b.listSas();
        check();
        assertEquals(ours.ike[0]!.initiator, false);
        assertNotEquals(ours.ike[0]!.spiR, "0000000000000000");
        await pair.b.terminate({ ike: p.conn });
        ours = await node.until((l) => l.ike.length === 0, "deleted by strongSwan");
        assert(ours.child.length === 0);
      } finally {
        await node.close();
      }
    },
    SWAN,
  );
}
