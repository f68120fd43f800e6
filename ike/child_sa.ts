/**
 * CHILD SA data (RFC 7296 §1.3, §2.17): SPIs, negotiated algorithms,
 * selectors, keys and lifetimes of one ESP SA pair, with its state machine.
 * No protocol logic lives here: the tasks create, install, rekey and delete
 * CHILD SAs; this is what they work on.
 *
 * @module
 */
import type { Logger } from "../core/log.ts";
import type { ChildConfig, ChildMode } from "./config.ts";
import type { ChosenAlgorithms } from "./proposal.ts";
import { CHILD_SA_TRANSITIONS, type ChildSaState, StateMachine } from "./state.ts";
import { TimerSet } from "./timer_set.ts";
import type { TrafficSelector } from "./ts.ts";

/** Keys of both directions, as taken from KEYMAT (§2.17). */
export interface ChildKeys {
  readonly encIn: Uint8Array;
  readonly integIn: Uint8Array | undefined;
  readonly encOut: Uint8Array;
  readonly integOut: Uint8Array | undefined;
}

/** Dataplane id of a CHILD SA pair: its inbound SPI, which both HA nodes share. */
export function childId(spiIn: number): string {
  return `esp-${spiIn.toString(16).padStart(8, "0")}`;
}

export class ChildSa {
  readonly machine: StateMachine<ChildSaState>;
  proposal: ChosenAlgorithms | undefined;
  mode: ChildMode;
  encap = false;
  localTs: TrafficSelector[] = [];
  remoteTs: TrafficSelector[] = [];
  keys: ChildKeys | undefined;
  /** Nonces of the exchange that created this SA (collision resolution, RFC 7296 §2.8.1). */
  nonceI: Uint8Array | undefined;
  nonceR: Uint8Array | undefined;
  /** Whether we initiated the exchange that created this SA. */
  createdByUs = false;
  /** Clock times (ms) of install, planned rekey and hard expiry. */
  installedAt: number | undefined;
  rekeyAt: number | undefined;
  expireAt: number | undefined;
  /** The SA that replaced this one after a rekey. */
  successor: ChildSa | undefined;
  /** The peer's inbound SPI (our outbound); 0 until the answer arrives. */
  spiOut = 0;
  /** Installed as rekey responder; outbound still on the old SA (see `ports.ts`). */
  outboundPending = false;
  /** Rekey and expiry timers. */
  readonly timers = new TimerSet();

  constructor(
    readonly uid: number,
    readonly config: ChildConfig,
    /** Our inbound SPI (allocated before the exchange). */
    readonly spiIn: number,
    log: Logger,
    onState: (old: ChildSaState, next: ChildSaState) => void = () => {},
  ) {
    this.mode = config.mode;
    this.machine = new StateMachine(
      () => `CHILD_SA ${config.name}{${uid}}`,
      "created",
      CHILD_SA_TRANSITIONS,
      log,
      onState,
    );
  }

  get state(): ChildSaState {
    return this.machine.state;
  }

  get id(): string {
    return childId(this.spiIn);
  }

  /** Zeroes the keys and nonces (called once the dataplane no longer needs them). */
  wipe(): void {
    if (this.keys) {
      this.keys.encIn.fill(0);
      this.keys.encOut.fill(0);
      this.keys.integIn?.fill(0);
      this.keys.integOut?.fill(0);
      this.keys = undefined;
    }
    this.nonceI?.fill(0);
    this.nonceR?.fill(0);
  }
}
