/**
 * The ESP dataplane's public surface: what the I/O loop, IKE, HA and the CLI
 * use. See `dataplane.ts` for the picture.
 *
 * @module
 */
export { Dataplane } from "./dataplane.ts";
export type { DataplaneCounters, DataplaneOptions } from "./dataplane.ts";
export { InboundAction, OutboundAction } from "./actions.ts";
export type { InboundKind, OutboundKind, Via } from "./actions.ts";
export { SaError, SecurityAssociation } from "./sa.ts";
export type {
  Direction,
  Encapsulation,
  Lifetime,
  Mode,
  SaCounters,
  SaParams,
  SaState,
} from "./sa.ts";
export { SadError } from "./sad.ts";
export { comparePolicies, Spd } from "./spd.ts";
export type { Policy, PolicyAction, PolicySpec } from "./spd.ts";
export { formatSelector, makeSelector, reverseSelector, SelectorError } from "./selector.ts";
export type { AddressRange, AddressSpec, Selector, SelectorSpec } from "./selector.ts";
export type {
  AcquireEvent,
  EspEvents,
  ExpireReason,
  SaExpireEvent,
  SeqProgressEvent,
} from "./events.ts";
export { DROP_INDEX, DROP_REASONS } from "./counters.ts";
export type { DataplaneStats, DropReason } from "./counters.ts";
export { ReplayWindow } from "./replay.ts";
export type { ReplayState } from "./replay.ts";
export { DEFAULT_SEQ_SYNC } from "./seq_sync.ts";
export type { SeqSyncConfig } from "./seq_sync.ts";
export { fixedOverhead, maxInnerLength, maxOverhead, tunMtu, WORST_CASE_OVERHEAD } from "./mtu.ts";
export type { OverheadParams } from "./mtu.ts";
