/**
 * The IKEv2 engine's public surface: one {@linkcode IkeInstance} per VRF,
 * the configuration it takes, the ports it is wired with, the events and
 * records HA mirrors, and the in-memory pool and PSK table.
 *
 * @module
 */
export {
  IkeInstance,
  type IkeInstanceInit,
  type ReceiveResult,
  type SaFilter,
} from "./instance.ts";
export * from "./config.ts";
export * from "./events.ts";
export * from "./ports.ts";
export * from "./identity.ts";
export * from "./psk.ts";
export { SubnetPool } from "./vip_pool.ts";
export type { ChildSaInfo, IkeSaInfo } from "./listing.ts";
export { DROP_REASONS, type DropReason, type IkeCounters } from "./counters.ts";
export type { ChildSaState, IkeSaState } from "./state.ts";
export { formatTs, type TrafficSelector } from "./ts.ts";
export { type ChosenAlgorithms, formatChosen } from "./proposal.ts";
