import { assert, assertEquals } from "../tests/assert.ts";
import { SeededRng } from "../core/rng.ts";
import { DEFAULT_GLOBAL_OPTIONS } from "./config.ts";
import {
  keyingRetryDelay,
  mayRetryKeying,
  planLifetime,
  retransmitGiveUp,
  retransmitTimeout,
} from "./timing.ts";
import { allocateEspSpi, allocateIkeSpi, espSpiBytes, espSpiFromBytes, spiHex } from "./spi.ts";

Deno.test("timing: strongSwan's default retransmit schedule gives up after ~165 s", () => {
  const cfg = DEFAULT_GLOBAL_OPTIONS.retransmit;
  const waits = [0, 1, 2, 3, 4, 5, 6].map((n) => retransmitTimeout(cfg, n));
  assertEquals(waits, [4000, 7200, 12960, 23328, 41990, 75583, undefined]);
  assertEquals(Math.round(retransmitGiveUp(cfg) / 1000), 165);
});

Deno.test("timing: rekey jitter stays within 10 % and expiry is rekey + 10 % or the life time", () => {
  const rng = new SeededRng(3);
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < 500; i++) {
    const p = planLifetime(rng, 3600);
    min = Math.min(min, p.rekeyIn!);
    max = Math.max(max, p.rekeyIn!);
    assertEquals(p.expireIn, 3960_000);
  }
  assert(min >= 3240_000 && max <= 3600_000, `${min}..${max}`);
  assert(max - min > 300_000, "jitter spreads");
  assertEquals(planLifetime(rng, 3600, 5000).expireIn, 5000_000);
  assertEquals(planLifetime(rng, 0), { rekeyIn: undefined, expireIn: undefined }, "0 = never");
  assertEquals(planLifetime(rng, 0, 60), { rekeyIn: undefined, expireIn: 60_000 });
});

Deno.test("timing: keying retries back off and 0 tries means forever", () => {
  assertEquals([1, 2, 3, 7, 20].map(keyingRetryDelay), [1000, 2000, 4000, 60000, 60000]);
  assertEquals(mayRetryKeying(0, 1000), true);
  assertEquals(mayRetryKeying(3, 2), true);
  assertEquals(mayRetryKeying(3, 3), false);
});

Deno.test("spi: allocation avoids zero, reserved and taken values", () => {
  const rng = new SeededRng(9);
  const first = allocateIkeSpi(new SeededRng(9));
  const second = allocateIkeSpi(rng, (h) => h === spiHex(first));
  assert(spiHex(first) !== spiHex(second));
  for (let i = 0; i < 200; i++) assert(allocateEspSpi(rng) >= 256);
  assertEquals(espSpiFromBytes(espSpiBytes(0xc1cee56a)), 0xc1cee56a);
  assertEquals(espSpiFromBytes(new Uint8Array(3)), undefined);
});
