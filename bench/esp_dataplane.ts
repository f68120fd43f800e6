/**
 * Packets per CPU-second through one dataplane, per direction, next to the cost
 * of the transforms alone on the same payload, so the pipeline's own
 * overhead shows. 1400-byte UDP packets in tunnel mode over UDP 4500, one
 * thread.
 *
 *   deno run -A bench/esp_dataplane.ts [packet bytes=1400] [seconds per case=1]
 *
 * @module
 */
import process from "node:process";
import type { EncryptionAlgorithm, IntegrityAlgorithm } from "../crypto/types.ts";
import { gatewayPair } from "../tests/esp_fixtures.ts";
import { packet } from "../tests/esp_packets.ts";
import { encryption, HMAC_SHA1_96, integrity, NULL_ENCRYPTION } from "../tests/esp_transforms.ts";

const SIZE = Number(Deno.args[0] ?? 1400);
const SECONDS = Number(Deno.args[1] ?? 1);

/** Milliseconds of CPU this process used (user + system): steadier than wall time on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Calls of `fn` per CPU-second. */
function perSecond(fn: () => void): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const t0 = cpuMs();
  let t = t0;
  while (t - t0 < SECONDS * 1000) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    t = cpuMs();
  }
  return n / ((t - t0) / 1000);
}

const cases: { name: string; enc: EncryptionAlgorithm; integ: IntegrityAlgorithm | null }[] = [
  { name: "aes128-cbc + hmac-sha1-96", enc: encryption("aes128-cbc"), integ: HMAC_SHA1_96 },
  {
    name: "aes128-cbc (native) + hmac-sha1-96",
    enc: encryption("aes128-cbc", "native"),
    integ: HMAC_SHA1_96,
  },
  { name: "aes128-gcm-128", enc: encryption("aes128-gcm-128"), integ: null },
  { name: "aes128-gcm-128 (native)", enc: encryption("aes128-gcm-128", "native"), integ: null },
  { name: "chacha20-poly1305", enc: encryption("chacha20-poly1305"), integ: null },
  {
    name: "chacha20-poly1305 (native)",
    enc: encryption("chacha20-poly1305", "native"),
    integ: null,
  },
  { name: "null + hmac-sha1-96 (pipeline + MAC only)", enc: NULL_ENCRYPTION, integ: HMAC_SHA1_96 },
  {
    name: "aes128-cbc + hmac-sha1-96 (openssl)",
    enc: encryption("aes128-cbc", "openssl"),
    integ: integrity("hmac-sha1", "openssl"),
  },
  { name: "aes128-gcm-128 (openssl)", enc: encryption("aes128-gcm-128", "openssl"), integ: null },
  { name: "aes256-gcm-128 (openssl)", enc: encryption("aes256-gcm-128", "openssl"), integ: null },
];

const k = (n: number) => `${(n / 1000).toFixed(1)} k per CPU-s`;
console.log(
  `ESP dataplane, ${SIZE}-byte packets, tunnel mode, UDP encapsulation (transforms: crypto/ registry, pure and native providers)`,
);
for (const c of cases) {
  const { a, b } = gatewayPair({
    encryption: c.enc,
    integrity: c.integ,
    replayWindow: 4096,
  });
  const p = packet({ src: "10.1.0.10", dst: "10.2.0.10", protocol: 17, payload: SIZE - 28 });
  // Transforms alone: what one outbound packet costs in crypto.
  const iv = new Uint8Array(c.enc.ivLength);
  const aad = new Uint8Array(8);
  const padded = new Uint8Array(SIZE + 16 - ((SIZE + 2) % 16) + 2);
  const cipher = c.enc.create(new Uint8Array(c.enc.keyLength).fill(1));
  const mac = c.integ?.create(new Uint8Array(c.integ.keyLength).fill(2));
  const crypto = perSecond(() => {
    const ct = cipher.encrypt(iv, aad, padded);
    mac?.mac(ct);
  });
  const out = perSecond(() => {
    a.dp.outbound(p);
  });
  // Inbound: batches of distinct packets made untimed (the replay window refuses repeats).
  let inTime = 0;
  let inCount = 0;
  let delivered = 0;
  while (inTime < SECONDS * 1000) {
    const batch: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = a.dp.outbound(p);
      batch.push(r.buf.slice(r.offset, r.offset + r.length));
    }
    const t0 = cpuMs();
    for (const d of batch) {
      if (b.dp.inbound(d, null, null, 4500, 4500, "udp").kind === "tun") delivered++;
    }
    inTime += cpuMs() - t0;
    inCount += batch.length;
  }
  const inb = inCount / (inTime / 1000);
  console.log(`\n${c.name}`);
  console.log(`  transforms alone: ${k(crypto)} (${(crypto * SIZE * 8 / 1e6).toFixed(0)} Mbit/s)`);
  console.log(`  outbound:         ${k(out)} (${(out * SIZE * 8 / 1e6).toFixed(0)} Mbit/s)`);
  console.log(
    `  inbound:          ${k(inb)} (${
      (inb * SIZE * 8 / 1e6).toFixed(0)
    } Mbit/s, ${delivered} delivered)`,
  );
  const drops = b.dp.counters().drops;
  if (Object.keys(drops).length) console.log(`  inbound drops: ${JSON.stringify(drops)}`);
}
