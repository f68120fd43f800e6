/**
 * A VRRP instance under a fake clock with a recording port, for the
 * state-machine suites: the reference's vrrp51 on a node whose eth1 address
 * is 10.22.0.5, peers' adverts delivered by script. Test support only.
 *
 * @module
 */
import { peerAdvert, RecordingPort, referenceVrrp } from "./vrrp_fakes.ts";
import { FakeClock } from "../core/clock.ts";
import { LogHub } from "../core/log.ts";
import type { VrrpInstanceConfig } from "../vrrp/config.ts";
import { VrrpInstance } from "../vrrp/instance.ts";
import type { VrrpTransition } from "../vrrp/state.ts";

/** One labelled case of a table-driven suite. */
export interface Case {
  label: string;
  run(): void;
}

/** Master_Down_Interval of priority 100 at 1 s: 3609.375 ms. */
export const MDI_100 = 3000 + (156 / 256) * 1000;
/** Master_Down_Interval of priority 200 at 1 s: 3218.75 ms. */
export const MDI_200 = 3000 + (56 / 256) * 1000;

/** An instance under test and its surroundings. */
export interface Harness {
  readonly clock: FakeClock;
  readonly hub: LogHub;
  readonly port: RecordingPort;
  readonly inst: VrrpInstance;
  /** Delivers a peer's advert now. */
  rx(src: string, priority: number, opts?: { intervalCs?: number; addresses?: string[] }): void;
  /** Delivers a peer's advert every `everyMs` for `forMs`, advancing the clock. */
  peer(src: string, priority: number, everyMs: number, forMs: number, intervalCs?: number): void;
  /** Runs the clock until the instance is in `state`; returns the time. */
  until(state: string, limit?: number): number;
  readonly transitions: VrrpTransition[];
  /** Monotonic time of each transition. */
  readonly times: number[];
}

/** Builds the instance (not started). */
export function harness(over: Partial<VrrpInstanceConfig> = {}): Harness {
  const clock = new FakeClock();
  const hub = new LogHub({ wallNow: () => clock.wallNow(), level: "detail" });
  const port = new RecordingPort(clock);
  const inst = new VrrpInstance(referenceVrrp(51, 5, over), {
    clock,
    log: hub.logger("vrrp"),
    port,
  });
  const transitions: VrrpTransition[] = [];
  /** Monotonic time of each transition. */
  const times: number[] = [];
  inst.onTransition((t) => {
    transitions.push(t);
    times.push(clock.now());
  });
  /** Delivers a peer advert now. */
  const rx = (
    src: string,
    priority: number,
    opts: { intervalCs?: number; addresses?: string[] } = {},
  ) => {
    const a = peerAdvert({ src, priority, ...opts });
    inst.receive(a.message, a.src, a.dst, a.ttl);
  };
  /** Delivers a peer advert every `everyMs` from now for `forMs`, advancing the clock. */
  const peer = (
    src: string,
    priority: number,
    everyMs: number,
    forMs: number,
    intervalCs = 100,
  ) => {
    const end = clock.now() + forMs;
    while (clock.now() + everyMs <= end) {
      rx(src, priority, { intervalCs });
      clock.advance(everyMs);
    }
  };
  /** Runs the clock until the state changes (at most `limit` ms); returns the time of the change. */
  const until = (state: string, limit = 60_000) => {
    const start = clock.now();
    while (inst.state !== state) {
      const due = clock.nextDue();
      if (due === undefined || due - start > limit) throw new Error(`never ${state}`);
      clock.advance(due - clock.now());
    }
    return clock.now();
  };
  return { clock, hub, port, inst, rx, peer, until, transitions, times };
}
