/**
 * IKE SA setup cost of the engine: two in-memory engines (tests'
 * exchange fixture, fake clock, no sockets) establish IKE SA + first CHILD
 * SA one after another; the table gives setups per CPU-second of this
 * process, which runs both the initiator and the responder, and the CPU
 * milliseconds per setup. Medians of `rounds`.
 *
 * `$DENO run -A bench/ike_setup.ts [--quick]`
 *
 * @module
 */
import process from "node:process";
import type { EspProposalConfig, IkeProposalConfig } from "../ike/config.ts";
import { child, ikePolicy, pair } from "../tests/ike_fixture.ts";

interface Profile {
  name: string;
  ike: IkeProposalConfig;
  esp: EspProposalConfig;
}

const PROFILES: Profile[] = [
  {
    name: "aes128-sha1-modp1024 / aes128-sha1",
    ike: { enc: ["aes128-cbc"], integ: ["hmac-sha1"], prf: [], dh: ["modp1024"] },
    esp: { enc: ["aes128-cbc"], integ: ["hmac-sha1"], dh: [], esn: [false] },
  },
  {
    name: "aes128-sha256-modp2048 / aes128-sha256",
    ike: { enc: ["aes128-cbc"], integ: ["hmac-sha256"], prf: [], dh: ["modp2048"] },
    esp: { enc: ["aes128-cbc"], integ: ["hmac-sha256"], dh: [], esn: [false] },
  },
  {
    name: "aes256-sha384-ecp384 / aes256-sha384",
    ike: { enc: ["aes256-cbc"], integ: ["hmac-sha384"], prf: [], dh: ["ecp384"] },
    esp: { enc: ["aes256-cbc"], integ: ["hmac-sha384"], dh: [], esn: [false] },
  },
  {
    name: "aes256gcm16-prfsha256-x25519 / aes256gcm16",
    ike: { enc: ["aes256-gcm-128"], integ: [], prf: ["hmac-sha256"], dh: ["curve25519"] },
    esp: { enc: ["aes256-gcm-128"], integ: [], dh: [], esn: [false] },
  },
];

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU ms per IKE SA + CHILD SA setup for one profile. */
function measure(p: Profile, count: number): number {
  const over = (l: string, r: string) => ({
    ike: ikePolicy({ proposals: [p.ike] }),
    children: [child(l, r, { proposals: [p.esp] })],
  });
  const t0 = cpuMs();
  for (let i = 0; i < count; i++) {
    const x = pair(
      { a: over("10.1.0.0/24", "10.2.0.0/24"), b: over("10.2.0.0/24", "10.1.0.0/24") },
      i + 1,
    );
    x.a.ike.initiate("vpn");
    x.clock.advance(100);
    if (x.a.ike.counts().childSas !== 1) throw new Error(`setup failed for ${p.name}`);
  }
  return (cpuMs() - t0) / count;
}

export function runIkeSetupBench(opts: { count: number; rounds: number }): string {
  const rows = [
    "| IKE / ESP proposal | setups per CPU-second | CPU ms per setup |",
    "| --- | ---: | ---: |",
  ];
  for (const p of PROFILES) {
    measure(p, 2);
    const runs = Array.from({ length: opts.rounds }, () => measure(p, opts.count)).sort((a, b) =>
      a - b
    );
    const ms = runs[Math.floor(runs.length / 2)]!;
    rows.push(`| ${p.name} | ${Math.round(1000 / ms)} | ${ms.toFixed(1)} |`);
  }
  return rows.join("\n");
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  console.log(runIkeSetupBench(quick ? { count: 5, rounds: 1 } : { count: 40, rounds: 3 }));
}
