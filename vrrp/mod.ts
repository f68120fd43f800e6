/**
 * VRRPv3 (RFC 5798): codec, instances, sync groups, `show vrrp`, and the
 * runtime that binds them to the kernel (one per VRF).
 *
 * @module
 */
export * from "./packet.ts";
export * from "./config.ts";
export * from "./state.ts";
export * from "./port.ts";
export * from "./announce.ts";
export * from "./instance.ts";
export * from "./group.ts";
export * from "./receiver.ts";
export * from "./service.ts";
export * from "./show.ts";
export * from "./runtime_config.ts";
export * from "./runtime.ts";
export * from "./runtime_show.ts";
