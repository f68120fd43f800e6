/**
 * Interoperability with strongSwan 5.9.8 (libipsec) on recorded traffic:
 * 1. the ESP packets strongSwan sent in the lab captures
 *    (`tests/vectors/strongswan/{ref-noesn,gcm}-encap_no.pcap`, keys in the
 *    matching `.vectors.json`) go through Tandem's inbound path and yield
 *    exactly the inner packets the capture checker listed, and the IKE
 *    messages on port 4500 come out as IKE;
 * 2. Tandem's outbound path, given those keys and SPIs, produces packets an
 *    independent decryptor accepts. The decryptor below follows the lab's
 *    capture checker (`decrypt-capture.py`): AES-GCM with salt = last 4 key
 *    bytes, nonce = salt || 8-byte IV, AAD = SPI || seq; AES-CBC with
 *    HMAC-SHA1-96 over everything before the ICV, IV = the 16 bytes after
 *    the header; then pad length and next header from the end.
 */
import { cbc, gcm } from "@noble/ciphers/aes.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { FakeClock } from "../core/clock.ts";
import { formatIp, parseIp } from "../core/ip.ts";
import { LogHub } from "../core/log.ts";
import { SeededRng } from "../core/rng.ts";
import type { EncryptionAlgorithm, IntegrityAlgorithm } from "../crypto/types.ts";
import { Dataplane } from "../esp/dataplane.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  AES128_CBC,
  AES256_GCM_128,
  encryption,
  HMAC_SHA1_96,
  integrity,
} from "./esp_transforms.ts";
import { hex, readPcap, toHex, udpOfEthernet } from "./pcap.ts";

interface Vectors {
  messages: { src: string; dst: string; exchange: string }[];
  esp: { spi: string; seq: number; next_header: number; inner: string }[];
  esp_spi_keys: Record<string, { dir: "i->r" | "r->i"; enc: string; integ: string }>;
}

const A = "10.225.0.1"; // initiator, where the capture was taken
const B = "10.200.0.1";
const LAN_A = "10.101.0.0/24";
const LAN_B = "10.102.0.0/24";

const PROFILES: {
  name: string;
  label: string;
  enc: EncryptionAlgorithm;
  integ: IntegrityAlgorithm | undefined;
}[] = [
  { name: "ref-noesn", label: "ref-noesn", enc: AES128_CBC, integ: HMAC_SHA1_96 },
  { name: "gcm", label: "gcm", enc: AES256_GCM_128, integ: undefined },
  {
    name: "ref-noesn",
    label: "ref-noesn (native)",
    enc: encryption("aes128-cbc", "native"),
    integ: HMAC_SHA1_96,
  },
  {
    name: "gcm",
    label: "gcm (native)",
    enc: encryption("aes256-gcm-128", "native"),
    integ: undefined,
  },
  {
    name: "ref-noesn",
    label: "ref-noesn (openssl)",
    enc: encryption("aes128-cbc", "openssl"),
    integ: integrity("hmac-sha1", "openssl"),
  },
  {
    name: "gcm",
    label: "gcm (openssl)",
    enc: encryption("aes256-gcm-128", "openssl"),
    integ: undefined,
  },
];

function dataplane(vrf: string): Dataplane {
  return new Dataplane({
    vrf,
    clock: new FakeClock(),
    rng: new SeededRng(vrf.length),
    log: new LogHub().logger("esp"),
    seqSync: { packets: 0, timeMs: 0 },
  });
}

function describe(p: Uint8Array): string {
  const ip = (o: number) => formatIp({ family: 4, bytes: p.slice(o, o + 4) });
  return `${ip(12)} -> ${ip(16)} proto ${p[9]} len ${p.length}`;
}

async function load(name: string) {
  const base = new URL(`./vectors/strongswan/${name}-encap_no`, import.meta.url);
  const vectors = JSON.parse(await Deno.readTextFile(`${base.pathname}.vectors.json`)) as Vectors;
  const pcap = readPcap(await Deno.readFile(`${base.pathname}.pcap`));
  return { vectors, pcap };
}

/** What each SPI's sender and receiver are, from the key direction. */
function ends(dir: "i->r" | "r->i") {
  return dir === "i->r"
    ? { from: A, to: B, srcLan: LAN_A, dstLan: LAN_B }
    : { from: B, to: A, srcLan: LAN_B, dstLan: LAN_A };
}

for (const prof of PROFILES) {
  Deno.test(`strongswan ${prof.label}: captured ESP decrypts in Tandem's inbound path to the listed inner packets`, async () => {
    const { vectors, pcap } = await load(prof.name);
    const dp: Record<string, Dataplane> = { [A]: dataplane("A"), [B]: dataplane("B") };
    for (const [spiHex, k] of Object.entries(vectors.esp_spi_keys)) {
      const e = ends(k.dir);
      dp[e.to]!.installSa({
        spi: parseInt(spiHex, 16),
        direction: "in",
        mode: "tunnel",
        encap: { kind: "udp", localPort: 4500, remotePort: 4500 },
        local: parseIp(e.to),
        remote: parseIp(e.from),
        encryption: prof.enc,
        encryptionKey: hex(k.enc),
        ...(prof.integ ? { integrity: prof.integ, integrityKey: hex(k.integ) } : {}),
        replayWindow: 128,
        selectors: [{ src: e.srcLan, dst: e.dstLan }],
      });
    }
    const got: { spi: string; seq: number; inner: string }[] = [];
    let ike = 0;
    for (const rec of pcap.records) {
      const u = udpOfEthernet(rec.data);
      if (!u || u.dstPort !== 4500) continue;
      const to = formatIp({ family: 4, bytes: u.ip.dst });
      const r = dp[to]!.inbound(u.payload, u.ip.src, u.ip.dst, u.srcPort, u.dstPort, "udp");
      if (r.kind === "ike") {
        ike++;
        assertEquals(
          r.buf[r.offset + 17],
          0x20,
          "an IKEv2 header follows the marker (version 2.0)",
        );
        continue;
      }
      assertEquals([r.kind, r.reason], ["tun", null], `datagram to ${to}`);
      got.push({
        spi: toHex(u.payload.subarray(0, 4)),
        seq: (u.payload[4]! << 24 | u.payload[5]! << 16 | u.payload[6]! << 8 | u.payload[7]!) >>> 0,
        inner: describe(r.buf.slice(r.offset, r.offset + r.length)),
      });
    }
    assertEquals(got, vectors.esp.map((e) => ({ spi: e.spi, seq: e.seq, inner: e.inner })));
    assertEquals(vectors.esp.every((e) => e.next_header === 4), true);
    assertEquals(ike, vectors.messages.filter((m) => m.exchange !== "IKE_SA_INIT").length);
    for (const d of Object.values(dp)) assertEquals(d.counters().drops, {});
  });

  Deno.test(`strongswan ${prof.label}: Tandem's ESP with the captured keys passes an independent decryptor`, async () => {
    const { vectors, pcap } = await load(prof.name);
    // The inner packets, recovered with the inbound path (checked by the test above).
    const rx: Record<string, Dataplane> = { [A]: dataplane("A"), [B]: dataplane("B") };
    const tx = dataplane("tx");
    const inners = new Map<string, Uint8Array[]>();
    let iface = 0;
    const ifaceOf = new Map<string, number>();
    for (const [spiHex, k] of Object.entries(vectors.esp_spi_keys)) {
      const e = ends(k.dir);
      const common = {
        spi: parseInt(spiHex, 16),
        mode: "tunnel" as const,
        encap: { kind: "udp" as const, localPort: 4500, remotePort: 4500 },
        encryption: prof.enc,
        encryptionKey: hex(k.enc),
        ...(prof.integ ? { integrity: prof.integ, integrityKey: hex(k.integ) } : {}),
      };
      rx[e.to]!.installSa({
        ...common,
        direction: "in",
        local: parseIp(e.to),
        remote: parseIp(e.from),
      });
      tx.installSa({
        ...common,
        direction: "out",
        local: parseIp(e.from),
        remote: parseIp(e.to),
        ifaceId: ++iface,
      });
      ifaceOf.set(spiHex, iface);
      inners.set(spiHex, []);
    }
    for (const rec of pcap.records) {
      const u = udpOfEthernet(rec.data);
      if (!u || u.dstPort !== 4500) continue;
      const r = rx[formatIp({ family: 4, bytes: u.ip.dst })]!.inbound(
        u.payload,
        null,
        u.ip.dst,
        0,
        0,
        "udp",
      );
      if (r.kind === "tun") {
        inners.get(toHex(u.payload.subarray(0, 4)))!.push(
          r.buf.slice(r.offset, r.offset + r.length),
        );
      }
    }
    let checked = 0;
    for (const [spiHex, k] of Object.entries(vectors.esp_spi_keys)) {
      const list = inners.get(spiHex)!;
      assert(list.length >= 3, `SPI ${spiHex} carried packets`);
      list.forEach((inner, i) => {
        const r = tx.outbound(inner, ifaceOf.get(spiHex)!);
        assertEquals([r.kind, r.remote && formatIp(r.remote), r.remotePort], [
          "send",
          ends(k.dir).to,
          4500,
        ]);
        const esp = r.buf.slice(r.offset, r.offset + r.length);
        const d = independentDecrypt(prof.integ === undefined, hex(k.enc), hex(k.integ), esp);
        assertEquals(toHex(esp.subarray(0, 4)), spiHex);
        assertEquals(d.seq, i + 1, "sequence numbers from 1");
        assertEquals([d.nextHeader, toHex(d.inner)], [4, toHex(inner)]);
        checked++;
      });
    }
    assertEquals(checked, vectors.esp.length);
  });
}

/** The capture checker's ESP decryption, written without any of Tandem's ESP code. */
function independentDecrypt(
  aeadGcm: boolean,
  encKey: Uint8Array,
  integKey: Uint8Array,
  esp: Uint8Array,
) {
  const seq = new DataView(esp.buffer, esp.byteOffset).getUint32(4);
  let pt: Uint8Array;
  if (aeadGcm) {
    const salt = encKey.subarray(encKey.length - 4);
    const nonce = new Uint8Array(12);
    nonce.set(salt);
    nonce.set(esp.subarray(8, 16), 4);
    pt = gcm(encKey.subarray(0, encKey.length - 4), nonce, esp.subarray(0, 8)).decrypt(
      esp.subarray(16),
    );
  } else {
    const icv = esp.subarray(esp.length - 12);
    const mac = hmac(sha1, integKey, esp.subarray(0, esp.length - 12)).subarray(0, 12);
    assertEquals(toHex(mac), toHex(icv), "HMAC-SHA1-96 ICV");
    pt = cbc(encKey, esp.subarray(8, 24), { disablePadding: true }).decrypt(
      esp.subarray(24, esp.length - 12),
    );
  }
  const padLen = pt[pt.length - 2]!;
  const innerLen = pt.length - 2 - padLen;
  for (let i = 0; i < padLen; i++) assertEquals(pt[innerLen + i], i + 1, "padding 1, 2, 3, ...");
  return { seq, nextHeader: pt[pt.length - 1]!, inner: pt.subarray(0, innerLen) };
}
