/**
 * The crypto subsystem's public surface: the transform interfaces, the
 * registry that hands out transforms by CLI name or IANA ID (pure or
 * native provider), and the IKEv2 key schedule.
 *
 * @module
 */
export * from "./types.ts";
export * from "./registry.ts";
export * from "./ikev2_keys.ts";
export type { KeyExchangeGroup } from "./key_exchange.ts";
export { constantTimeEqual, wipe } from "./bytes.ts";
