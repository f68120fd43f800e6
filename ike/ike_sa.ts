/**
 * IKE SA data (RFC 7296 §1, §2.14): SPIs, endpoints and NAT state,
 * identities, the negotiated proposal and SK_* keys, nonces, peer
 * capabilities, virtual IPs, lifetimes, its CHILD SAs, and the state
 * machine. The protocol logic is in the tasks; scheduling is in the task
 * manager; timers in `lifecycle.ts`.
 *
 * @module
 */
import type { IpAddress } from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import type { IkeSuite } from "./keys.ts";
import type { SkProtection } from "./message/sk.ts";
import type { ChildSa } from "./child_sa.ts";
import type { VpnConfig } from "./config.ts";
import type { Identity } from "./identity.ts";
import type { Endpoint } from "./ports.ts";
import type { ChosenAlgorithms } from "./proposal.ts";
import { spiHex } from "./spi.ts";
import { IKE_SA_TRANSITIONS, type IkeSaState, StateMachine } from "./state.ts";
import { TimerSet } from "./timer_set.ts";

/** SK_d, SK_ai/ar, SK_ei/er, SK_pi/pr (RFC 7296 §2.14). */
export interface IkeKeys {
  readonly skD: Uint8Array;
  readonly skAi: Uint8Array;
  readonly skAr: Uint8Array;
  readonly skEi: Uint8Array;
  readonly skEr: Uint8Array;
  readonly skPi: Uint8Array;
  readonly skPr: Uint8Array;
}

/** The SA's algorithms and the keyed SK protection of each direction, from our point of view. */
export interface IkeSaCrypto {
  readonly suite: IkeSuite;
  readonly out: SkProtection;
  readonly in: SkProtection;
}

/** What the peer announced it supports. */
export interface PeerFeatures {
  /** IKEV2_FRAGMENTATION_SUPPORTED (RFC 7383). */
  fragmentation: boolean;
  /** IKEV2_MESSAGE_ID_SYNC_SUPPORTED (RFC 6311), negotiated in IKE_AUTH. */
  midSync: boolean;
  /** IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED (RFC 6311). */
  replaySync: boolean;
  /** CHILDLESS_IKEV2_SUPPORTED (RFC 6023). */
  childless: boolean;
}

/** What the peer's CFG_REPLY gave us (RFC 7296 §3.15.1). */
export interface ReceivedAttributes {
  readonly addresses: IpAddress[];
  readonly dns: IpAddress[];
  readonly nbns: IpAddress[];
  readonly dhcp: IpAddress[];
}

/** A virtual IP leased to the peer from a pool. */
export interface RemoteVip {
  readonly address: IpAddress;
  readonly pool: string;
}

export class IkeSa {
  readonly machine: StateMachine<IkeSaState>;
  vpn: VpnConfig | undefined;
  spiI: Uint8Array;
  spiR: Uint8Array = new Uint8Array(8);
  local: Endpoint;
  remote: Endpoint;
  /** NAT detected in front of us / the peer (RFC 7296 §2.23). */
  nat = { local: false, remote: false };
  localId: Identity | undefined;
  remoteId: Identity | undefined;
  proposal: ChosenAlgorithms | undefined;
  keys: IkeKeys | undefined;
  crypto: IkeSaCrypto | undefined;
  nonceI: Uint8Array | undefined;
  nonceR: Uint8Array | undefined;
  /** The first IKE_SA_INIT messages as sent (RealMessage1/2 of §2.15), until IKE_AUTH is done. */
  initRequest: Uint8Array | undefined;
  initResponse: Uint8Array | undefined;
  peer: PeerFeatures = {
    fragmentation: false,
    midSync: false,
    replaySync: false,
    childless: false,
  };
  localVips: IpAddress[] = [];
  cpReceived: ReceivedAttributes | undefined;
  remoteVips: RemoteVip[] = [];
  children: ChildSa[] = [];
  /** Clock times (ms). */
  readonly createdAt: number;
  establishedAt: number | undefined;
  rekeyAt: number | undefined;
  reauthAt: number | undefined;
  expireAt: number | undefined;
  /** Failed attempts so far (keying-tries). */
  keyingAttempts = 0;
  /** The SA that replaced this one after an IKE rekey. */
  successor: IkeSa | undefined;
  /** Named timers (rekey, reauth, expire, dpd, half-open). */
  readonly timers = new TimerSet();

  constructor(
    readonly uid: number,
    /** Whether we are the original initiator (the I flag, RFC 7296 §3.1). */
    readonly initiator: boolean,
    spiI: Uint8Array,
    local: Endpoint,
    remote: Endpoint,
    now: number,
    log: Logger,
    onState: (old: IkeSaState, next: IkeSaState) => void = () => {},
  ) {
    this.spiI = spiI;
    this.local = local;
    this.remote = remote;
    this.createdAt = now;
    this.machine = new StateMachine(
      () => `IKE_SA ${this.vpn?.name ?? "(unknown)"}[${uid}]`,
      "created",
      IKE_SA_TRANSITIONS,
      log,
      onState,
    );
  }

  get state(): IkeSaState {
    return this.machine.state;
  }

  /** Our SPI and the peer's. */
  get localSpi(): Uint8Array {
    return this.initiator ? this.spiI : this.spiR;
  }
  get remoteSpi(): Uint8Array {
    return this.initiator ? this.spiR : this.spiI;
  }

  /** `spiI_spiR` in hex: the key of the SA table. */
  get key(): string {
    return `${spiHex(this.spiI)}_${spiHex(this.spiR)}`;
  }

  /** Whether messages and ESP must use UDP encapsulation on the NAT-T port. */
  get natted(): boolean {
    return this.nat.local || this.nat.remote;
  }

  /** Destroys keyed objects and zeroes every key and nonce this SA owns. */
  wipe(): void {
    const c = this.crypto;
    if (c) {
      for (const d of [c.in, c.out]) {
        d.cipher.destroy();
        d.integrity?.destroy();
      }
      this.crypto = undefined;
    }
    if (this.keys) {
      for (const k of Object.values(this.keys)) k.fill(0);
      this.keys = undefined;
    }
    this.nonceI?.fill(0);
    this.nonceR?.fill(0);
    this.initRequest = undefined;
    this.initResponse = undefined;
  }
}
