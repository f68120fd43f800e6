import { assertEquals } from "../tests/assert.ts";
import { testSa } from "../tests/esp_fixtures.ts";
import { hex, toHex } from "../tests/pcap.ts";
import {
  AES128_CBC,
  AES128_GCM_128,
  CHACHA20_POLY1305,
  encryption,
  HMAC_SHA1_96,
  HMAC_SHA256_128,
  NULL_ENCRYPTION,
} from "../tests/esp_transforms.ts";
import { BUFFER_SIZE } from "./constants.ts";
import { Opened, openEsp } from "./decap.ts";
import { sealedLength, sealEsp } from "./encap.ts";

interface AeadCase {
  label: string;
  enc: string;
  key: string;
  spi: string;
  seq: string;
  esn: boolean;
  iv: string;
  plaintext: string;
  packet: string;
}

interface CbcCase {
  label: string;
  enc: string;
  key: string;
  spi: string;
  seq: number;
  iv: string;
  nextHeader: number;
  payload: string;
  packet: string;
}

async function vectors<T>(file: string): Promise<T[]> {
  const url = new URL(`../tests/vectors/esp/${file}`, import.meta.url);
  return (JSON.parse(await Deno.readTextFile(url)) as { cases: T[] }).cases;
}

const out = new Uint8Array(BUFFER_SIZE);
const scratch = new Uint8Array(BUFFER_SIZE);

function seal(
  sa: ReturnType<typeof testSa>,
  hi: number,
  lo: number,
  iv: Uint8Array,
  payload: Uint8Array,
  nh: number,
) {
  const n = sealEsp(sa, hi, lo, iv, payload, 0, payload.length, nh, out, scratch);
  assertEquals(n, sealedLength(sa, payload.length));
  return out.slice(0, n);
}

function open(sa: ReturnType<typeof testSa>, hi: number, pkt: Uint8Array) {
  const o = new Opened();
  const err = openEsp(sa, hi, pkt, 0, pkt.length, o, new Uint8Array(4096));
  return { err, payload: o.plain.slice(0, o.length), nh: o.nextHeader };
}

function seqParts(seq: string): [number, number] {
  const v = BigInt(`0x${seq}`);
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

for (
  const [file, name] of [
    ["draft-mcgrew-gcm-test-01.json", "draft-mcgrew-gcm-test-01"],
    ["rfc7634-esp-chacha.json", "RFC 7634 A"],
  ]
) {
  Deno.test(`encap: AEAD ESP packets of ${name} (pure and native transforms)`, async () => {
    for (const c of (await vectors<AeadCase>(file!)).flatMap((c) => [c, { ...c, native: true }])) {
      const spi = parseInt(c.spi, 16);
      if (spi < 256) continue; // case 4 uses the reserved SPI 0, which no SA may have
      const sa = testSa({
        spi,
        encryption: encryption(c.enc, "native" in c ? "native" : "pure"),
        encryptionKey: hex(c.key),
        esn: c.esn,
        direction: "in",
      });
      const [hi, lo] = seqParts(c.seq);
      const pt = hex(c.plaintext);
      const padLen = pt[pt.length - 2]!;
      const payload = pt.slice(0, pt.length - 2 - padLen);
      const nh = pt[pt.length - 1]!;
      assertEquals(toHex(seal(sa, hi, lo, hex(c.iv), payload, nh)), c.packet, `${c.label}: encap`);
      const r = open(sa, hi, hex(c.packet));
      assertEquals(
        [r.err, toHex(r.payload), r.nh],
        [null, toHex(payload), nh],
        `${c.label}: decap`,
      );
      const bad = hex(c.packet);
      bad[bad.length - 1]! ^= 1;
      assertEquals(open(sa, hi, bad).err, "icv", `${c.label}: corrupted tag`);
      if (c.esn) {
        assertEquals(open(sa, hi + 1, hex(c.packet)).err, "icv", `${c.label}: wrong ESN high bits`);
      }
    }
  });
}

Deno.test("encap: RFC 3602 §4 cases 5-8 (AES-CBC ESP, no authentication; pure and native)", async () => {
  for (
    const [c, provider] of (await vectors<CbcCase>("rfc3602-esp-cbc.json")).flatMap((c) =>
      [[c, "pure"], [c, "native"]] as const
    )
  ) {
    const sa = testSa({
      spi: parseInt(c.spi, 16),
      encryption: encryption(c.enc, provider),
      encryptionKey: hex(c.key),
      integrity: null,
    });
    const packet = seal(sa, 0, c.seq, hex(c.iv), hex(c.payload), c.nextHeader);
    assertEquals(toHex(packet), c.packet, `${c.label}: encap`);
    const r = open(sa, 0, hex(c.packet));
    assertEquals(
      [r.err, toHex(r.payload), r.nh],
      [null, c.payload, c.nextHeader],
      `${c.label}: decap`,
    );
  }
});

Deno.test("encap: padding is minimal, monotonic and aligned for every size", () => {
  for (const enc of [AES128_CBC, AES128_GCM_128, NULL_ENCRYPTION]) {
    const sa = testSa({ encryption: enc });
    const align = Math.max(4, enc.blockSize);
    for (let len = 0; len < 40; len++) {
      const payload = new Uint8Array(len).fill(0xaa);
      const pkt = seal(sa, 0, 1, new Uint8Array(enc.ivLength), payload, 4);
      const ctLen = pkt.length - 8 - enc.ivLength - sa.icvLength;
      assertEquals(ctLen % align, 0, `${enc.name} len ${len}: aligned`);
      assertEquals(ctLen - len - 2 < align, true, `${enc.name} len ${len}: minimal`);
      const r = open(sa, 0, pkt);
      assertEquals([r.err, r.payload.length, r.nh], [null, len, 4], `${enc.name} len ${len}`);
    }
  }
});

Deno.test("encap: ESN high bits are covered by a separate ICV but never sent (RFC 4303 §3.3.2.1)", () => {
  const sa = testSa({ integrity: HMAC_SHA256_128, esn: true });
  const payload = new Uint8Array(20).fill(7);
  const iv = new Uint8Array(16).fill(9);
  const a = seal(sa, 5, 77, iv, payload, 4);
  const b = seal(sa, 6, 77, iv, payload, 4);
  assertEquals(
    toHex(a.subarray(0, a.length - 16)),
    toHex(b.subarray(0, b.length - 16)),
    "same wire bytes but the ICV",
  );
  assertEquals(toHex(a.subarray(4, 8)), "0000004d", "low half on the wire");
  assertEquals(open(sa, 5, a).err, null);
  assertEquals(open(sa, 6, a).err, "icv");
  const plain = testSa({ integrity: HMAC_SHA256_128, esn: false });
  assertEquals(open(plain, 0, seal(plain, 0, 77, iv, payload, 4)).err, null);
});

Deno.test("decap: truncated, unaligned, bad padding and bad ICV are told apart", () => {
  const sa = testSa({ encryption: NULL_ENCRYPTION, integrity: HMAC_SHA1_96 });
  const good = seal(sa, 0, 3, new Uint8Array(0), Uint8Array.of(1, 2, 3, 4, 5), 17);
  assertEquals(open(sa, 0, good).err, null);
  assertEquals(open(sa, 0, good.subarray(0, 8 + 12)).err, "truncated", "no ciphertext");
  assertEquals(open(sa, 0, good.subarray(0, good.length - 1)).err, "truncated", "unaligned");
  const flipped = good.slice();
  flipped[9]! ^= 0x80;
  assertEquals(open(sa, 0, flipped).err, "icv");
  // NULL encryption lets the test write any trailer and re-MAC it.
  const forge = (body: number[]) => {
    const p = new Uint8Array(8 + body.length + 12);
    p.set(good.subarray(0, 8));
    p.set(body, 8);
    p.set(sa.integrity!.mac(p.subarray(0, 8 + body.length)), 8 + body.length);
    return p;
  };
  assertEquals(open(sa, 0, forge([9, 9, 9, 9, 1, 2, 2, 4])).err, null, "forge helper works");
  assertEquals(open(sa, 0, forge([9, 9, 9, 9, 1, 3, 2, 4])).err, "bad-padding", "not monotonic");
  assertEquals(
    open(sa, 0, forge([9, 9, 9, 9, 1, 2, 9, 4])).err,
    "bad-padding",
    "pad length past payload",
  );
  assertEquals(open(sa, 0, forge([1, 2, 2, 4])).err, null, "padding only");
  const cbc = testSa({ encryption: AES128_CBC, integrity: HMAC_SHA1_96 });
  const c = seal(cbc, 0, 1, new Uint8Array(16), new Uint8Array(30), 4);
  assertEquals(
    open(cbc, 0, c.subarray(0, c.length - 16)).err,
    "icv",
    "one block short: ICV over the wrong bytes",
  );
  assertEquals(open(cbc, 0, c.subarray(0, 8 + 16 + 8 + 12)).err, "truncated", "half a block");
  const chacha = testSa({ encryption: CHACHA20_POLY1305 });
  const x = seal(chacha, 0, 1, new Uint8Array(8), new Uint8Array(3), 4);
  assertEquals(open(chacha, 0, x).err, null);
  assertEquals(open(chacha, 0, x.subarray(0, 8 + 8 + 16)).err, "truncated");
});
