/**
 * HA groups (and, later, HA IKE sync).
 *
 * @module
 */
export * from "./group.ts";
export * from "./show.ts";
