/**
 * The lab: network namespaces as data, network plans, a strongSwan peer,
 * Tandem daemons in namespaces, traffic tools, and the `tandem lab` demo.
 * Used by root tests, interop tests, benchmarks and the demo; never by the
 * daemon itself.
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
export * from "./network.ts";
export * from "./tandem_node.ts";
export * from "./demo_reference.ts";
export * from "./demo.ts";
