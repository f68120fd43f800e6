/**
 * Crypto benchmark: ESP throughput of every cipher + integrity combination
 * that matters, for 1400-byte packets, through the pure provider (TypeScript
 * on @noble) and through node:crypto (the native provider, where Deno has
 * the transform), and key-exchange operations per second of every group,
 * pure beside node:crypto. Ratios are taken within each round, so both
 * sides see the same machine load; the table shows medians over rounds.
 *
 * Throughput is per CPU-second of this process (`process.cpuUsage`), not
 * wall time: on a shared 2-vCPU machine wall time mostly measures the
 * neighbours.
 *
 *   deno run -A bench/crypto.ts [--quick]
 *
 * @module
 */
import {
  createECDH,
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  getDiffieHellman,
  type KeyObject,
} from "node:crypto";
import process from "node:process";
import { SeededRng } from "../core/rng.ts";
import { dhGroupByName, encryptionByName, integrityByName } from "../crypto/registry.ts";
import type { CryptoProvider } from "../crypto/registry.ts";
import type { DhGroupName, EncryptionName, IntegrityName } from "../crypto/types.ts";

const PACKET = 1400;

/** Runs `op` until `budgetUs` of CPU time is spent; returns operations per CPU-second. */
function opsPerCpuSecond(op: () => void, budgetUs: number, minOps = 3): number {
  op();
  const start = process.cpuUsage();
  let n = 0;
  for (;;) {
    op();
    n++;
    if (n % 8 === 0 || n >= minOps) {
      const used = process.cpuUsage(start);
      const us = used.user + used.system;
      if (us >= budgetUs && n >= minOps) return (n * 1e6) / us;
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface EspCase {
  label: string;
  encr: EncryptionName;
  integ?: IntegrityName;
}

/** The ESP combinations measured. */
export const ESP_CASES: readonly EspCase[] = [
  { label: "aes128-cbc + hmac-sha1", encr: "aes128-cbc", integ: "hmac-sha1" },
  { label: "aes256-cbc + hmac-sha256", encr: "aes256-cbc", integ: "hmac-sha256" },
  { label: "aes128-ctr + hmac-sha256", encr: "aes128-ctr", integ: "hmac-sha256" },
  { label: "aes256-ctr + hmac-sha256", encr: "aes256-ctr", integ: "hmac-sha256" },
  { label: "aes128-gcm-128", encr: "aes128-gcm-128" },
  { label: "aes256-gcm-128", encr: "aes256-gcm-128" },
  { label: "chacha20-poly1305", encr: "chacha20-poly1305" },
  { label: "null + hmac-sha1", encr: "null", integ: "hmac-sha1" },
];

/** Encrypt and decrypt closures for one combination through one provider (ESP's per-packet work). */
function espOps(c: EspCase, provider: CryptoProvider): { seal: () => void; open: () => void } {
  const rng = new SeededRng(1);
  const ea = encryptionByName(c.encr, { provider })!;
  const ia = c.integ ? integrityByName(c.integ, { provider }) : undefined;
  const cipher = ea.create(rng.fill(new Uint8Array(ea.keyLength)));
  const integ = ia?.create(rng.fill(new Uint8Array(ia.keyLength)));
  const iv = rng.fill(new Uint8Array(ea.ivLength));
  const aad = rng.fill(new Uint8Array(8));
  const pt = rng.fill(new Uint8Array(Math.ceil(PACKET / ea.blockSize) * ea.blockSize));
  const ct = cipher.encrypt(iv, aad, pt);
  const icv = integ?.mac(aad, ct) ?? new Uint8Array(0);
  return {
    seal: () => {
      const out = cipher.encrypt(iv, aad, pt);
      integ?.mac(aad, out);
    },
    open: () => {
      if (integ && !integ.verify(aad, icv, ct)) throw new Error("ICV");
      if (cipher.decrypt(iv, aad, ct) === null) throw new Error("AEAD ICV");
    },
  };
}

/** One node:crypto key exchange (generate + compute the secret) for a group, if Deno has it. */
function nodeDh(name: DhGroupName): (() => void) | undefined {
  const modp: Partial<Record<DhGroupName, string>> = {
    modp1024: "modp2",
    modp1536: "modp5",
    modp2048: "modp14",
    modp3072: "modp15",
    modp4096: "modp16",
    modp6144: "modp17",
    modp8192: "modp18",
  };
  const ecp: Partial<Record<DhGroupName, string>> = {
    ecp256: "prime256v1",
    ecp384: "secp384r1",
    ecp521: "secp521r1",
  };
  try {
    if (modp[name]) {
      const peer = getDiffieHellman(modp[name]!);
      peer.generateKeys();
      const pub = peer.getPublicKey();
      return () => {
        const me = getDiffieHellman(modp[name]!);
        me.generateKeys();
        me.computeSecret(pub);
      };
    }
    if (ecp[name]) {
      const peer = createECDH(ecp[name]!);
      const pub = peer.generateKeys();
      return () => {
        const me = createECDH(ecp[name]!);
        me.generateKeys();
        me.computeSecret(pub);
      };
    }
    const type = name === "curve25519" ? "x25519" : "x448";
    const peer: KeyObject = generateKeyPairSync(type as "x25519").publicKey;
    const jwk = peer.export({ format: "jwk" });
    const publicKey = createPublicKey({ key: jwk, format: "jwk" });
    return () => {
      const me = generateKeyPairSync(type as "x25519");
      diffieHellman({ privateKey: me.privateKey, publicKey });
    };
  } catch {
    return undefined;
  }
}

/** One key exchange through the native provider (node:crypto behind Tandem's interface). */
function providerDh(name: DhGroupName): () => void {
  return groupDh(name, "native");
}

/** One pure key exchange: generate + compute the secret from a fixed peer value. */
function pureDh(name: DhGroupName): () => void {
  return groupDh(name, "pure");
}

function groupDh(name: DhGroupName, provider: CryptoProvider): () => void {
  const g = dhGroupByName(name, { provider })!;
  const rng = new SeededRng(3);
  const peer = g.generate(rng).publicValue;
  return () => {
    const k = g.generate(rng);
    k.computeShared(peer);
    k.destroy();
  };
}

export interface BenchOptions {
  /** CPU microseconds per measurement. */
  budgetUs: number;
  /** Interleaved rounds per measurement (median taken). */
  rounds: number;
}

const fmt = (x: number | undefined, digits = 0) => x === undefined ? "–" : x.toFixed(digits);

/** Runs the benchmark and returns the Markdown tables. */
export function runCryptoBench(
  options: BenchOptions,
  log: (line: string) => void = () => {},
): string {
  const lines: string[] = [];
  lines.push(
    `ESP, ${PACKET}-byte packets, Mbit/s per CPU-second (median of ${options.rounds} interleaved rounds). ` +
      "node:crypto = Tandem's native provider: the cipher on node:crypto, the integrity transform " +
      "pure (node's HMAC is slower, next table); ratio = node:crypto / pure.",
    "",
    "| transform | pure encrypt | pure decrypt | node:crypto encrypt | node:crypto decrypt | ratio enc | ratio dec |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  const mbit = (ops: number) => (ops * PACKET * 8) / 1e6;
  for (const c of ESP_CASES) {
    const pure = espOps(c, "pure");
    const nativeEncr = encryptionByName(c.encr, { provider: "native" });
    const hasNative = nativeEncr !== encryptionByName(c.encr) ||
      (c.integ !== undefined &&
        integrityByName(c.integ, { provider: "native" }) !== integrityByName(c.integ));
    const native = hasNative ? espOps(c, "native") : undefined;
    const r: Record<string, number[]> = { pe: [], pd: [], ne: [], nd: [], re: [], rd: [] };
    for (let i = 0; i < options.rounds; i++) {
      const pe = mbit(opsPerCpuSecond(pure.seal, options.budgetUs));
      const pd = mbit(opsPerCpuSecond(pure.open, options.budgetUs));
      r.pe!.push(pe), r.pd!.push(pd);
      if (native) {
        const ne = mbit(opsPerCpuSecond(native.seal, options.budgetUs));
        const nd = mbit(opsPerCpuSecond(native.open, options.budgetUs));
        r.ne!.push(ne), r.nd!.push(nd), r.re!.push(ne / pe), r.rd!.push(nd / pd);
      }
    }
    const m = (k: string) => r[k]!.length ? median(r[k]!) : undefined;
    const row = `| ${c.label} | ${fmt(m("pe"))} | ${fmt(m("pd"))} | ${fmt(m("ne"))} | ${
      fmt(m("nd"))
    } | ${fmt(m("re"), 2)} | ${fmt(m("rd"), 2)} |`;
    log(row);
    lines.push(row);
  }
  lines.push(
    "",
    `Integrity alone, ${PACKET}-byte packets, Mbit/s per CPU-second: pure (noble, keyed state cloned ` +
      "per packet) beside node:crypto `createHmac` per packet; ratio = node:crypto / pure.",
    "",
    "| transform | pure | node:crypto | ratio |",
    "| --- | ---: | ---: | ---: |",
  );
  for (const name of ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"] as const) {
    const ia = integrityByName(name)!;
    const key = new SeededRng(4).fill(new Uint8Array(ia.keyLength));
    const data = new SeededRng(5).fill(new Uint8Array(PACKET));
    const integ = ia.create(key);
    const pure = () => void integ.mac(data);
    const node = () => void createHmac(name.slice(5), key).update(data).digest();
    const p: number[] = [], n: number[] = [], ratio: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      const a = mbit(opsPerCpuSecond(pure, options.budgetUs));
      const b = mbit(opsPerCpuSecond(node, options.budgetUs));
      p.push(a), n.push(b), ratio.push(b / a);
    }
    const row = `| ${name} | ${fmt(median(p))} | ${fmt(median(n))} | ${fmt(median(ratio), 2)} |`;
    log(row);
    lines.push(row);
  }
  lines.push(
    "",
    `Key exchange: operations per CPU-second, one operation = generate a key pair + compute g^ir ` +
      `(median of ${options.rounds} interleaved rounds); node:crypto = the native provider where ` +
      "it has the group, else node's own API (getDiffieHellman, its own exponent length); " +
      "ratio = node:crypto / pure.",
    "",
    "| group | pure ops/s | node:crypto ops/s | ratio | registry `native` uses |",
    "| --- | ---: | ---: | ---: | --- |",
  );
  for (
    const name of [
      "modp1024",
      "modp1536",
      "modp2048",
      "modp3072",
      "modp4096",
      "modp6144",
      "modp8192",
      "ecp256",
      "ecp384",
      "ecp521",
      "curve25519",
      "curve448",
    ] as const
  ) {
    const viaProvider = dhGroupByName(name, { provider: "native" }) !== dhGroupByName(name);
    const pure = pureDh(name), node = viaProvider ? providerDh(name) : nodeDh(name);
    const p: number[] = [], n: number[] = [], ratio: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      const a = opsPerCpuSecond(pure, options.budgetUs);
      p.push(a);
      if (node) {
        const b = opsPerCpuSecond(node, options.budgetUs);
        n.push(b), ratio.push(b / a);
      }
    }
    const digits = median(p) < 10 ? 1 : 0;
    const row = `| ${name} | ${fmt(median(p), digits)} | ${
      n.length ? fmt(median(n), digits) : "– (not in Deno)"
    } | ${ratio.length ? fmt(median(ratio), 2) : "–"} | ${viaProvider ? "node:crypto" : "pure"} |`;
    log(row);
    lines.push(row);
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const table = runCryptoBench(
    quick ? { budgetUs: 100_000, rounds: 1 } : { budgetUs: 300_000, rounds: 3 },
    (l) => console.error(l),
  );
  console.log(
    `\n${table}\n\n(deno ${Deno.version.deno}, ${
      Buffer.from("").length === 0 ? "" : ""
    }${Deno.build.target})`,
  );
}
