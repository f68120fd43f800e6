/**
 * Tandem's library surface: what tests, benchmarks and tools may import
 * without reaching into a subsystem's files.
 *
 * @module
 */
export * from "./core/ip.ts";
export * from "./core/clock.ts";
export * from "./core/rng.ts";
export * from "./core/log.ts";
export * from "./core/events.ts";
export { VERSION } from "./core/version.ts";
export * from "./crypto/mod.ts";
export * from "./vrrp/mod.ts";
export * from "./ha/mod.ts";
export * from "./kernel/mod.ts";
export * from "./config/mod.ts";
export * from "./cli/mod.ts";
export * from "./ike/constants.ts";
export * from "./ike/message/mod.ts";
export * from "./esp/mod.ts";
export * as ike from "./ike/mod.ts";
export * from "./daemon/mod.ts";
