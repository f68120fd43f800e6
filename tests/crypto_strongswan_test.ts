/**
 * End-to-end check of the IKEv2 key schedule and the ESP/IKE transforms
 * against strongSwan 5.9.8 (tests/vectors/strongswan/, with the AUTH and
 * CHILD SA nonces extracted from the charon logs into
 * tests/vectors/crypto/strongswan_keys.json): for each capture, every
 * SKEYSEED and SK_* of both IKE SAs (the second one rekeyed from the first
 * one's SK_d), every CHILD SA key, both AUTH payloads (computed, and found
 * in the decrypted IKE_AUTH messages of the pcap), and every ESP packet of
 * the pcap authenticated and decrypted with the derived keys.
 */
import { assert, assertEquals } from "./assert.ts";
import { loadVectors } from "./crypto_vectors.ts";
import { hex, readPcap, toHex, udpOfEthernet } from "./pcap.ts";
import {
  type ChildSaKeys,
  childSaKeys,
  type IkeSaKeys,
  ikeSaKeys,
  type IkeSaTransforms,
  pskAuth,
  rekeyedIkeSaKeys,
  signedOctets,
} from "../crypto/ikev2_keys.ts";
import { dhGroupByName, encryptionByName, integrityByName, prfByName } from "../crypto/registry.ts";
import type { EncryptionAlgorithm, IntegrityAlgorithm } from "../crypto/types.ts";

interface SwanIkeSa {
  spi_i: string;
  spi_r: string;
  Ni: string;
  Nr: string;
  "g^ir": string;
  SKEYSEED: string;
  Sk_d: string;
  Sk_ai: string;
  Sk_ar: string;
  Sk_ei: string;
  Sk_er: string;
  Sk_pi: string;
  Sk_pr: string;
}
interface SwanVectors {
  ike_sas: SwanIkeSa[];
  esp: { spi: string; seq: number; next_header: number; inner: string }[];
  esp_spi_keys: Record<string, { dir: string; enc: string; integ: string }>;
}
interface Extracted {
  psk: string;
  auth: {
    signer: string;
    restOfIdPayload: string;
    skP: string;
    octets: string;
    prfKeyPad: string;
    auth: string;
  }[];
  childSas: {
    childSa: number;
    seed: string;
    encrI: string;
    encrR: string;
    integI: string;
    integR: string;
    spiIToR: string;
    spiRToI: string;
  }[];
}

const CAPTURES = [
  {
    name: "ref-noesn-encap_no",
    prf: "hmac-sha1",
    encr: "aes128-cbc",
    integ: "hmac-sha1",
    dh: "modp1024",
  },
  {
    name: "gcm-encap_no",
    prf: "hmac-sha256",
    encr: "aes256-gcm-128",
    integ: undefined,
    dh: "x25519",
  },
] as const;

function expectKeys(keys: IkeSaKeys, sa: SwanIkeSa, label: string): void {
  const got = [
    keys.skeyseed,
    keys.skD,
    keys.skAi,
    keys.skAr,
    keys.skEi,
    keys.skEr,
    keys.skPi,
    keys.skPr,
  ];
  const want = [sa.SKEYSEED, sa.Sk_d, sa.Sk_ai, sa.Sk_ar, sa.Sk_ei, sa.Sk_er, sa.Sk_pi, sa.Sk_pr];
  const names = ["SKEYSEED", "SK_d", "SK_ai", "SK_ar", "SK_ei", "SK_er", "SK_pi", "SK_pr"];
  names.forEach((n, i) => assertEquals(toHex(got[i]!), want[i], `${label}: ${n}`));
}

/** The UDP payloads of a capture: IKE (port 500, or 4500 behind the non-ESP marker) and ESP-in-UDP. */
function datagrams(name: string): { ike: Uint8Array[]; esp: Uint8Array[] } {
  const pcap = readPcap(
    Deno.readFileSync(new URL(`./vectors/strongswan/${name}.pcap`, import.meta.url)),
  );
  const ike: Uint8Array[] = [], esp: Uint8Array[] = [];
  for (const r of pcap.records) {
    const u = udpOfEthernet(r.data);
    if (!u) continue;
    if (u.srcPort === 500) ike.push(u.payload);
    else if (u.payload.subarray(0, 4).every((b) => b === 0)) ike.push(u.payload.subarray(4));
    else esp.push(u.payload);
  }
  return { ike, esp };
}

/**
 * Opens the SK payload of an IKE message (RFC 7296 §3.14, RFC 5282 §5.1)
 * and returns the payload chain inside it as [type, body] pairs.
 */
function openSk(
  msg: Uint8Array,
  encr: EncryptionAlgorithm,
  integ: IntegrityAlgorithm | undefined,
  ek: Uint8Array,
  ak: Uint8Array,
): [number, Uint8Array][] {
  assertEquals(msg[16], 46, "first payload is SK");
  const skLen = (msg[30]! << 8) | msg[31]!;
  const end = 28 + skLen;
  const icvLen = integ ? integ.icvLength : encr.icvLength;
  const iv = msg.subarray(32, 32 + encr.ivLength);
  let pt: Uint8Array | null;
  if (integ) {
    const i = integ.create(ak);
    assert(i.verify(msg.subarray(0, end - icvLen), msg.subarray(end - icvLen, end)), "IKE ICV");
    pt = encr.create(ek).decrypt(
      iv,
      new Uint8Array(0),
      msg.subarray(32 + encr.ivLength, end - icvLen),
    );
  } else {
    pt = encr.create(ek).decrypt(iv, msg.subarray(0, 32), msg.subarray(32 + encr.ivLength, end));
  }
  assert(pt !== null, "IKE AEAD ICV");
  const inner = pt.subarray(0, pt.length - 1 - pt[pt.length - 1]!);
  const out: [number, Uint8Array][] = [];
  let type = msg[28]!, off = 0;
  while (type !== 0) {
    const len = (inner[off + 2]! << 8) | inner[off + 3]!;
    out.push([type, inner.subarray(off + 4, off + len)]);
    type = inner[off]!;
    off += len;
  }
  return out;
}

for (const cap of CAPTURES) {
  const vec = JSON.parse(
    Deno.readTextFileSync(
      new URL(`./vectors/strongswan/${cap.name}.vectors.json`, import.meta.url),
    ),
  ) as SwanVectors;
  const ext = loadVectors<{ captures: Record<string, Extracted> }>("strongswan_keys.json")
    .captures[cap.name]!;
  const prf = prfByName(cap.prf)!, encryption = encryptionByName(cap.encr)!;
  const integrity = cap.integ ? integrityByName(cap.integ)! : undefined;
  const t: IkeSaTransforms = { prf, encryption, integrity };
  const [sa1, sa2] = vec.ike_sas as [SwanIkeSa, SwanIkeSa];
  const seed = (sa: SwanIkeSa) => ({
    ni: hex(sa.Ni),
    nr: hex(sa.Nr),
    gir: hex(sa["g^ir"]),
    spiI: hex(sa.spi_i),
    spiR: hex(sa.spi_r),
  });
  const keys1 = ikeSaKeys(t, seed(sa1));

  Deno.test(`strongSwan ${cap.name}: IKE SA #1 SKEYSEED and SK_* (RFC 7296 §2.14)`, () => {
    assertEquals(dhGroupByName(cap.dh)!.sharedLength, hex(sa1["g^ir"]).length);
    expectKeys(keys1, sa1, "IKE SA #1");
  });

  Deno.test(`strongSwan ${cap.name}: rekeyed IKE SA #2 from the old SK_d (RFC 7296 §2.18)`, () => {
    expectKeys(rekeyedIkeSaKeys(t, prf, keys1.skD, seed(sa2)), sa2, "IKE SA #2");
  });

  /** Each CHILD SA's keys derived from IKE SA #1's SK_d and the logged nonces, by SPI. */
  const childKeys = () => {
    const bySpi: Record<string, { ek: Uint8Array; ak: Uint8Array }> = {};
    const all = ext.childSas.map((c) => {
      const s = hex(c.seed);
      const k: ChildSaKeys = childSaKeys(prf, keys1.skD, t, s.subarray(0, 32), s.subarray(32));
      bySpi[c.spiIToR] = { ek: k.encrI, ak: k.integI };
      bySpi[c.spiRToI] = { ek: k.encrR, ak: k.integR };
      return k;
    });
    return { all, bySpi };
  };

  Deno.test(`strongSwan ${cap.name}: both CHILD SAs' KEYMAT (RFC 7296 §2.17)`, () => {
    assertEquals(ext.childSas.length, 2);
    assertEquals(
      ext.childSas[0]!.seed,
      sa1.Ni + sa1.Nr,
      "the IKE_AUTH CHILD SA uses the IKE_SA_INIT nonces",
    );
    const { all } = childKeys();
    ext.childSas.forEach((c, n) => {
      const k = all[n]!;
      const label = `CHILD SA #${c.childSa}`;
      assertEquals([toHex(k.encrI), toHex(k.integI), toHex(k.encrR), toHex(k.integR)], [
        c.encrI,
        c.integI,
        c.encrR,
        c.integR,
      ], label);
      const i2r = vec.esp_spi_keys[c.spiIToR]!, r2i = vec.esp_spi_keys[c.spiRToI]!;
      assertEquals(
        [i2r.dir, i2r.enc, i2r.integ],
        ["i->r", toHex(k.encrI), toHex(k.integI)],
        `${label} i->r`,
      );
      assertEquals(
        [r2i.dir, r2i.enc, r2i.integ],
        ["r->i", toHex(k.encrR), toHex(k.integR)],
        `${label} r->i`,
      );
    });
  });

  Deno.test(`strongSwan ${cap.name}: PSK AUTH of both peers, computed and on the wire (RFC 7296 §2.15)`, () => {
    const { ike } = datagrams(cap.name);
    const [initReq, initResp, authReq, authResp] = ike as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    const psk = hex(ext.psk);
    assertEquals(new TextDecoder().decode(psk), "s1-lab-psk-0123456789abcdef");
    for (const a of ext.auth) {
      const initiator = a.signer === "initiator";
      const octets = signedOctets(
        prf,
        initiator ? initReq : initResp,
        hex(initiator ? sa1.Nr : sa1.Ni),
        initiator ? keys1.skPi : keys1.skPr,
        hex(a.restOfIdPayload),
      );
      assertEquals(toHex(octets), a.octets, `${a.signer}: signed octets`);
      const auth = pskAuth(prf, psk, octets);
      assertEquals(toHex(auth), a.auth, `${a.signer}: AUTH`);
      const payloads = initiator
        ? openSk(authReq, encryption, integrity, keys1.skEi, keys1.skAi)
        : openSk(authResp, encryption, integrity, keys1.skEr, keys1.skAr);
      const authPayload = payloads.find(([type]) => type === 39)![1];
      assertEquals(authPayload[0], 2, "auth method: shared key MIC");
      assertEquals(toHex(authPayload.subarray(4)), a.auth, `${a.signer}: AUTH payload in the pcap`);
      const idPayload = payloads.find(([type]) => type === (initiator ? 35 : 36))![1];
      assertEquals(toHex(idPayload), a.restOfIdPayload, `${a.signer}: ID payload in the pcap`);
    }
  });

  Deno.test(`strongSwan ${cap.name}: every ESP packet authenticates and decrypts with the derived keys`, () => {
    const packets = datagrams(cap.name).esp;
    assertEquals(packets.length, vec.esp.length);
    const { bySpi } = childKeys();
    const encr = encryption, integ = integrity;
    packets.forEach((p, n) => {
      const spi = toHex(p.subarray(0, 4)), sa = bySpi[spi]!;
      const icvLen = integ ? integ.icvLength : encr.icvLength;
      const iv = p.subarray(8, 8 + encr.ivLength);
      let pt: Uint8Array | null;
      if (integ) {
        assert(
          integ.create(sa.ak).verify(
            p.subarray(0, p.length - icvLen),
            p.subarray(p.length - icvLen),
          ),
          `ESP #${n} ICV`,
        );
        pt = encr.create(sa.ek).decrypt(
          iv,
          new Uint8Array(0),
          p.subarray(8 + encr.ivLength, p.length - icvLen),
        );
      } else {
        pt = encr.create(sa.ek).decrypt(iv, p.subarray(0, 8), p.subarray(8 + encr.ivLength));
      }
      assert(pt !== null, `ESP #${n} AEAD ICV`);
      const expect = vec.esp[n]!;
      assertEquals(spi, expect.spi);
      assertEquals(pt[pt.length - 1], expect.next_header, `ESP #${n} next header`);
      const inner = `${pt.subarray(12, 16).join(".")} -> ${pt.subarray(16, 20).join(".")} proto ${
        pt[9]
      } len ${(pt[2]! << 8) | pt[3]!}`;
      assertEquals(inner, expect.inner, `ESP #${n} inner header`);
    });
  });
}
