/**
 * The lab's strongSwan driver against real charon instances (5.9.8,
 * kernel-libipsec): the two-gateway topology built from data, tunnels per
 * profile, LAN-to-LAN traffic, SA listings on both sides, CHILD rekey,
 * terminate, crash versus graceful stop, replay-drop counting, startup
 * failure diagnostics, and no leftovers.
 */
import {
  assert,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
} from "./assert.ts";
import { NetnsLab, rootTest, run } from "./netns.ts";
import { type ChildSa, type IkeSa } from "../lab/swanctl_output.ts";
import { StrongSwanPeer } from "../lab/strongswan.ts";
import { pairUp, peerUp, SWAN_PROFILES, swanSideConfig } from "../lab/swan_pair.ts";
import { ping } from "../lab/traffic.ts";
import { waitFor } from "../lab/command.ts";
import { assertGone } from "./lab_assert.ts";

const SWAN = {
  programs: ["swanctl", "charon"],
  programPaths: ["/usr/lib/ipsec", "/usr/libexec/ipsec"],
};

/** The one installed CHILD SA of the only IKE SA. */
function installed(sas: IkeSa[]): ChildSa | undefined {
  return sas[0]?.childSas.find((c) => c.state === "INSTALLED");
}

/** Sends UDP datagrams from inside a namespace (a Deno child there; test helper only). */
async function sendUdp(ns: string, host: string, port: number, payloads: Uint8Array[]) {
  const hex = payloads.map((p) => [...p].map((b) => b.toString(16).padStart(2, "0")).join(""));
  const code = `const s = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 });
for (const h of ${JSON.stringify(hex)}) {
  const b = new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16)));
  await s.send(b, { transport: "udp", hostname: ${JSON.stringify(host)}, port: ${port} });
}
s.close();`;
  await run(["ip", "netns", "exec", ns, Deno.execPath(), "eval", "--unstable-net", code]);
}

rootTest(
  "strongSwan pair (ref-noesn): tunnel, LAN ping, same SPIs, CHILD rekey, terminate, no leftovers",
  async () => {
    let names: string[] = [];
    let runDir = "";
    let pids: number[] = [];
    {
      await using lab = new NetnsLab("ts");
      runDir = lab.runDir;
      // A PSK with blanks and '#' exercises the quoting in swanctl.conf.
      const pair = await pairUp(lab, { profile: "ref-noesn", psk: "lab psk #1 with blanks" });
      const { a, b, params } = pair;
      names = [...lab.namespaces];
      pids = [a.pid, b.pid];
      assertEquals(names.length, 4);

      await a.initiate({ child: params.child });
      const p1 = await ping(pair.hostA, params.b.hostAddr, { count: 3 });
      assertEquals(p1.received, 3, "LAN A -> LAN B through the tunnel");

      const [ikeA, ikeB] = [(await a.listSas())[0]!, (await b.listSas())[0]!];
      assertEquals([ikeA.state, ikeB.state], ["ESTABLISHED", "ESTABLISHED"]);
      assertEquals([ikeA.initiator, ikeB.initiator], [true, false]);
      assertEquals([ikeA.initiatorSpi, ikeA.responderSpi], [ikeB.initiatorSpi, ikeB.responderSpi]);
      assertEquals([ikeA.localHost, ikeA.remoteHost], ["10.225.0.1", "10.200.0.1"]);
      assertEquals([ikeA.localId, ikeA.remoteId], ["10.225.0.1", "10.200.0.1"]);
      assertEquals([ikeA.localPort, ikeA.remotePort], [4500, 4500], "NAT-T forced by libipsec");
      assertEquals(
        [ikeA.encrAlg, ikeA.encrKeysize, ikeA.integAlg, ikeA.prfAlg, ikeA.dhGroup],
        ["AES_CBC", 128, "HMAC_SHA1_96", "PRF_HMAC_SHA1", "MODP_1024"],
      );
      const [ca, cb] = [installed([ikeA])!, installed([ikeB])!];
      assertEquals([ca.spiIn, ca.spiOut], [cb.spiOut, cb.spiIn], "CHILD SPIs swapped");
      assertEquals([ca.mode, ca.protocol, ca.encap, ca.esn], ["TUNNEL", "ESP", true, false]);
      assertEquals([ca.encrAlg, ca.integAlg], ["AES_CBC", "HMAC_SHA1_96"]);
      assertEquals([ca.localTs, ca.remoteTs], [["10.101.0.0/24"], ["10.102.0.0/24"]]);
      assertEquals([cb.localTs, cb.remoteTs], [["10.102.0.0/24"], ["10.101.0.0/24"]]);
      assertEquals([ca.packetsOut, cb.packetsIn, cb.packetsOut, ca.packetsIn], [3, 3, 3, 3]);

      // CHILD rekey from A: new SPIs on both sides, traffic on the new SA.
      await a.rekey({ child: params.child });
      const fresh = (sas: IkeSa[]) => {
        const c = installed(sas);
        return c !== undefined && c.spiIn !== ca.spiIn && c.spiOut !== ca.spiOut;
      };
      const ra = installed(await a.waitForSas(fresh, { what: "a new CHILD SA" }))!;
      const rb = installed(await b.waitForSas(fresh, { what: "a new CHILD SA" }))!;
      assertEquals([ra.spiIn, ra.spiOut], [rb.spiOut, rb.spiIn]);
      assertNotEquals(ra.uniqueId, ca.uniqueId);
      assertEquals((await ping(pair.hostB, params.a.hostAddr, { count: 2 })).received, 2);
      const after = installed(await a.listSas())!;
      assertEquals([after.spiIn, after.packetsIn, after.packetsOut], [ra.spiIn, 2, 2]);
      const counters = await a.counters();
      assertEquals([counters["ike-init-out-req"], counters["child-rekey"]], [1, 1]);
      assertEquals((await b.stats()).ikeSas.total, 1);

      await assertRejects(
        () => a.initiate({ child: "nosuch" }, 2),
        Error,
        "Cannot initiate nosuch",
      );

      // Terminate from A: B learns it by the DELETE.
      await a.terminate({ ike: params.conn });
      await b.waitForSas((sas) => sas.length === 0, { what: "the IKE SA to go" });
      assertEquals((await a.listSas()).length, 0);
      assertEquals([await a.replayDrops(), await b.replayDrops()], [0, 0]);
      assertEquals(
        (await ping(pair.hostA, params.b.hostAddr, { count: 1, waitSeconds: 1 })).received,
        0,
      );
    }
    await assertGone(names, runDir, pids);
  },
  SWAN,
);

for (const profile of ["gcm", "cbc384"] as const) {
  rootTest(`strongSwan pair (${profile}): tunnel up with the profile's algorithms`, async () => {
    await using lab = new NetnsLab("ts");
    const pair = await pairUp(lab, { profile });
    await pair.b.initiate({ child: pair.params.child });
    assertEquals((await ping(pair.hostB, pair.params.a.hostAddr, { count: 2 })).received, 2);
    const ike = (await pair.a.listSas())[0]!;
    const child = installed([ike])!;
    const expect = {
      gcm: [
        "AES_GCM_16",
        256,
        undefined,
        "PRF_HMAC_SHA2_256",
        "CURVE_25519",
        "AES_GCM_16",
        undefined,
      ],
      cbc384: [
        "AES_CBC",
        256,
        "HMAC_SHA2_384_192",
        "PRF_HMAC_SHA2_384",
        "ECP_384",
        "AES_CBC",
        "HMAC_SHA2_384_192",
      ],
    }[profile];
    assertEquals(
      [
        ike.encrAlg,
        ike.encrKeysize,
        ike.integAlg,
        ike.prfAlg,
        ike.dhGroup,
        child.encrAlg,
        child.integAlg,
      ],
      expect,
      `${SWAN_PROFILES[profile].ike} / ${SWAN_PROFILES[profile].esp}`,
    );
    assertEquals(ike.initiator, false, "B initiated");
  }, SWAN);
}

rootTest(
  "strongSwan peerUp: only B runs; a peer on A (standing in for Tandem), crash vs stop",
  async () => {
    await using lab = new NetnsLab("ts");
    const pair = await peerUp(lab, { profile: "gcm", aId: "tandem.lab.test" });
    assertEquals(pair.a, undefined);
    // Side A is ready: addresses and routes, nothing running.
    assertEquals((await ping(pair.gwA, pair.params.b.wan, { count: 1 })).received, 1);
    assertEquals((await run(["ip", "netns", "pids", pair.gwA])).stdout.trim(), "");
    assertEquals((await pair.b.listSas()).length, 0);

    // What Tandem would run in gwA: here a second charon with side A's config.
    const tandem = await StrongSwanPeer.start(lab, { name: "standin", ns: pair.gwA, espLog: 2 });
    await tandem.load(swanSideConfig(pair.params, "a"));
    await pair.b.initiate({ child: pair.params.child });
    assertEquals((await ping(pair.hostA, pair.params.b.hostAddr, { count: 2 })).received, 2);
    const ike = (await tandem.listSas())[0]!;
    assertEquals([ike.localId, ike.remoteId, ike.initiator], [
      "tandem.lab.test",
      "10.200.0.1",
      false,
    ]);
    // espLog 2: one line per received ESP packet, with its sequence number.
    const spi = installed([ike])!.spiIn;
    await tandem.waitForLog(new RegExp(`parsed ESP header with SPI ${spi} \\[seq 2\\]`));

    // Replay: re-send sequence number 1 of the live SA three times from B's side.
    const esp = new Uint8Array(8 + 16 + 16 + 16);
    new DataView(esp.buffer).setUint32(0, parseInt(spi, 16));
    new DataView(esp.buffer).setUint32(4, 1);
    const logged = (await tandem.logLines()).length;
    assertEquals(await tandem.replayDrops(), 0);
    await sendUdp(pair.gwB, pair.params.a.wan, 4500, [esp, esp, esp]);
    await waitFor(async () => (await tandem.replayDrops()) >= 3, {
      timeoutMs: 10_000,
      what: "3 replay drops in the stand-in's log",
    });
    assertEquals(await tandem.replayDrops(), 3);
    const lines = (await tandem.logLines()).slice(logged).join("\n");
    assertStringIncludes(lines, `src 10.200.0.1, dst 10.225.0.1, SPI ${spi} [seq 1]`);
    assertEquals(await pair.b.replayDrops(), 0);
    assertEquals(installed(await tandem.listSas())?.spiIn, spi, "the SA survives replayed packets");

    // A crash (SIGKILL) sends nothing: the stand-in keeps its SA.
    await pair.b.kill();
    assertEquals(pair.b.running, false);
    assertEquals((await tandem.listSas()).length, 1);
    // A graceful stop (SIGTERM) sends a DELETE: start B again, connect, stop.
    const b2 = await StrongSwanPeer.start(lab, { name: "gwb2", ns: pair.gwB });
    await b2.load(swanSideConfig(pair.params, "b"));
    await b2.initiate({ child: pair.params.child });
    // B2 sends INITIAL_CONTACT: the stand-in replaces the orphaned IKE SA.
    await tandem.waitForSas(
      (sas) => sas.length === 1 && sas[0]!.initiatorSpi !== ike.initiatorSpi,
      {
        what: "the new IKE SA to replace the orphaned one",
      },
    );
    const status = await b2.stop();
    assertEquals(status.code, 0);
    await tandem.waitForSas((sas) => sas.length === 0, { what: "the DELETE sent at SIGTERM" });
  },
  SWAN,
);

rootTest("strongSwan: a charon that dies at startup gives a clear error with its log", async () => {
  await using lab = new NetnsLab("ts");
  const ns = await lab.netns("x", { ipv6: false });
  // Without kernel-netlink charon aborts: libcharon needs CUSTOM:kernel-net.
  const err = await assertRejects(
    () =>
      StrongSwanPeer.start(lab, {
        name: "broken",
        ns,
        plugins: ["random", "nonce", "openssl", "kernel-libipsec", "socket-default", "vici"],
      }),
    Error,
    'charon "broken" exited during startup',
  );
  assertStringIncludes(err.message, "kernel-net");
}, SWAN);

rootTest("strongSwan: logged keys and PSK stay out of diagnostics", async () => {
  await using lab = new NetnsLab("ts");
  const psk = "do-not-print-this-psk";
  const pair = await pairUp(lab, { psk, charon: { logKeys: true } });
  await pair.a.initiate({ child: pair.params.child });
  const log = (await pair.a.logLines()).join("\n");
  // Hex dump rows show 16 bytes of ASCII each.
  assertStringIncludes(log, psk.slice(0, 16), "ike = 4 logs the PSK (so this test can fail)");
  assertStringIncludes(log, "Sk_ei secret =>");
  const diag = await pair.a.diagnostics(100_000);
  assert(!diag.includes(psk.slice(0, 16)), "PSK in diagnostics");
  assert(!/Sk_\w+ secret/.test(diag), "key dump in diagnostics");
  assertStringIncludes(diag, "CHILD_SA net{1} established");
}, SWAN);

rootTest("strongSwan pair: a virtual IP from B's pool for A (vips = 0.0.0.0)", async () => {
  await using lab = new NetnsLab("ts");
  const pair = await pairUp(lab);
  const { params } = pair;
  // Reload both sides: A asks for a virtual IP, B hands one out of a pool.
  const a = swanSideConfig(params, "a");
  const b = swanSideConfig(params, "b");
  const [ca, cb] = [a.connections[0]!, b.connections[0]!];
  await pair.a.load({
    ...a,
    connections: [{
      ...ca,
      vips: ["0.0.0.0"],
      children: [{ ...ca.children[0]!, localTs: ["dynamic"] }],
    }],
  });
  await pair.b.load({
    ...b,
    pools: [{ name: "vpool", addrs: "10.103.0.0/28" }],
    connections: [{
      ...cb,
      pools: ["vpool"],
      children: [{ ...cb.children[0]!, remoteTs: ["dynamic"] }],
    }],
  });
  await pair.a.initiate({ child: params.child });
  const ia = (await pair.a.listSas())[0]!;
  const ib = (await pair.b.listSas())[0]!;
  assertEquals([ia.localVips, ib.remoteVips], [["10.103.0.1"], ["10.103.0.1"]]);
  assertEquals(installed([ia])!.localTs, ["10.103.0.1/32"]);
  // The gateway itself now reaches LAN B from its virtual IP.
  assertEquals((await ping(pair.gwA, params.b.hostAddr, { count: 2 })).received, 2);
}, SWAN);

rootTest("strongSwan: what libipsec refuses (transport mode, ESN) fails the CHILD SA", async () => {
  for (
    const [what, params, logged] of [
      [
        "transport mode",
        { aTs: "10.225.0.1/32", bTs: "10.200.0.1/32", childOptions: { mode: "transport" } },
        "IPsec SA: unsupported mode",
      ],
      [
        "ESN",
        { childOptions: { espProposals: ["aes128-sha1-esn"] } },
        "IPsec SA: ESN not supported",
      ],
    ] as const
  ) {
    await using lab = new NetnsLab("ts");
    const pair = await pairUp(lab, params);
    const err = await assertRejects(() => pair.a.initiate({ child: pair.params.child }, 5), Error);
    assertStringIncludes(err.message, "Cannot initiate", what);
    await pair.b.waitForLog(new RegExp(logged));
    const sas = await pair.a.listSas();
    assertEquals([sas.length, sas[0]?.state, sas[0]?.childSas.length], [1, "ESTABLISHED", 0], what);
  }
}, SWAN);
