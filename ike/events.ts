/**
 * What the IKE engine tells the rest of the system, on a `core/events.ts`
 * EventBus. The records carry everything another node needs to mirror an
 * SA exactly and continue it without renegotiation.
 *
 * Key material: records carry the full keys (SK_d, SK_a*, SK_e*, SK_p* and
 * the CHILD SA's KEYMAT), as strongSwan's HA plugin does. Shipping only the
 * derivation inputs (g^ir, nonces) would force the backup to repeat every
 * derivation, and still ship a secret of the same sensitivity. The HA
 * channel must therefore be authenticated and encrypted.
 *
 * Times in records are wall-clock milliseconds (`Clock.wallNow()`), so that
 * a node with another monotonic clock can re-arm timers.
 *
 * @module
 */
import type { IpAddress } from "../core/ip.ts";
import type { ChildMode } from "./config.ts";
import type { Identity } from "./identity.ts";
import type { IkeKeys, PeerFeatures, RemoteVip } from "./ike_sa.ts";
import type { Endpoint } from "./ports.ts";
import type { ChosenAlgorithms } from "./proposal.ts";
import type { ChildSaState, IkeSaState } from "./state.ts";
import type { TrafficSelector } from "./ts.ts";

/** An IKE SA, complete enough to be recreated elsewhere. */
export interface IkeSaRecord {
  readonly vpn: string | undefined;
  readonly initiator: boolean;
  readonly spiI: Uint8Array;
  readonly spiR: Uint8Array;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly nat: { readonly local: boolean; readonly remote: boolean };
  readonly localId: Identity | undefined;
  readonly remoteId: Identity | undefined;
  readonly proposal: ChosenAlgorithms | undefined;
  readonly keys: IkeKeys | undefined;
  readonly peer: PeerFeatures;
  readonly localVips: readonly IpAddress[];
  readonly remoteVips: readonly RemoteVip[];
  /** Message ID of our next request and of the next request we expect. */
  readonly nextSend: number;
  readonly expectRecv: number;
  readonly state: IkeSaState;
  readonly establishedAt: number | undefined;
  readonly rekeyAt: number | undefined;
  readonly reauthAt: number | undefined;
  readonly expireAt: number | undefined;
}

/** A CHILD SA pair, complete enough to be recreated elsewhere. */
export interface ChildSaRecord {
  /** The IKE SA it belongs to. */
  readonly ikeSpiI: Uint8Array;
  readonly ikeSpiR: Uint8Array;
  readonly vpn: string;
  /** CHILD config (security-policy) name. */
  readonly name: string;
  readonly spiIn: number;
  readonly spiOut: number;
  readonly proposal: ChosenAlgorithms;
  readonly mode: ChildMode;
  readonly encap: boolean;
  readonly localTs: readonly TrafficSelector[];
  readonly remoteTs: readonly TrafficSelector[];
  readonly encIn: Uint8Array;
  readonly integIn: Uint8Array | undefined;
  readonly encOut: Uint8Array;
  readonly integOut: Uint8Array | undefined;
  readonly createdByUs: boolean;
  readonly state: ChildSaState;
  readonly installedAt: number | undefined;
  readonly rekeyAt: number | undefined;
  readonly expireAt: number | undefined;
}

/** Identifies an IKE SA in events. */
export interface IkeSaRef {
  readonly vpn: string | undefined;
  readonly spiI: Uint8Array;
  readonly spiR: Uint8Array;
}

/** Event name → payload. */
export interface IkeEvents {
  /** An IKE SA was established (first time, or as the result of a rekey). */
  "ike-sa-up": { readonly record: IkeSaRecord; readonly rekeyOf?: IkeSaRef };
  /** Anything of an established SA changed (state, NAT, VIPs, times). */
  "ike-sa-updated": { readonly record: IkeSaRecord };
  /** Message IDs after every completed exchange. */
  "ike-sa-mids": IkeSaRef & { readonly nextSend: number; readonly expectRecv: number };
  "ike-sa-state": IkeSaRef & { readonly old: IkeSaState; readonly state: IkeSaState };
  "ike-sa-down": IkeSaRef & { readonly reason: string };
  /** An attempt to establish failed (before or without an SA record). */
  "ike-sa-failed": {
    readonly vpn: string | undefined;
    readonly reason: string;
    readonly retryIn?: number;
  };
  "child-sa-up": { readonly record: ChildSaRecord; readonly rekeyOf?: number };
  /** A CHILD SA now belongs to another IKE SA (after an IKE rekey). */
  "child-sa-moved": IkeSaRef & { readonly spiIn: number };
  "child-sa-state": {
    readonly ikeSpiI: Uint8Array;
    readonly ikeSpiR: Uint8Array;
    readonly spiIn: number;
    readonly old: ChildSaState;
    readonly state: ChildSaState;
  };
  "child-sa-down": {
    readonly ikeSpiI: Uint8Array;
    readonly ikeSpiR: Uint8Array;
    readonly vpn: string;
    readonly name: string;
    readonly spiIn: number;
    readonly spiOut: number;
    readonly reason: string;
  };
  "vip-lease": {
    readonly pool: string;
    readonly peer: Identity;
    readonly address: IpAddress;
    readonly leased: boolean;
  };
}
