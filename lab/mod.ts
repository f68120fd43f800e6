/**
 * The lab: network namespaces as data, a strongSwan peer, traffic tools.
 * Used by root tests, interop tests, benchmarks and the `tandem lab` demo;
 * never by the daemon itself.
 *
 * @module
 */
export * from "./command.ts";
export * from "./lab_process.ts";
export * from "./netns_lab.ts";
export * from "./topology.ts";
export * from "./sweep.ts";
export * from "./strongswan_conf.ts";
export * from "./swanctl_conf.ts";
export * from "./swanctl_output.ts";
export * from "./strongswan.ts";
export * from "./swan_pair.ts";
export * from "./traffic.ts";
