/**
 * The per-VRF IPsec gateway: kernel I/O (`VrfIo`), the ESP dataplane and
 * the IKEv2 engine composed into one {@linkcode VrfGateway}, which the
 * daemon creates per VRF; `standalone.ts` runs one as a process.
 *
 * @module
 */
export { VrfGateway } from "./vrf_gateway.ts";
export type { EspSaInfo, GatewayCounters, VrfGatewayOptions } from "./vrf_gateway.ts";
export { IKE_PORT, NATT_PORT, VrfIo } from "./vrf_io.ts";
export type { VrfIoOptions } from "./vrf_io.ts";
export { IkeDataplane, selectorPairs } from "./ike_dataplane.ts";
export type { IkeDataplaneOptions } from "./ike_dataplane.ts";
export { rangeContains, rangeToPrefixes, TunnelRoutes } from "./tunnel_routes.ts";
export type { Range } from "./tunnel_routes.ts";
export { parseGatewayConfig, vpnFromJson } from "./standalone_config.ts";
export type {
  ChildJson,
  GatewayConfig,
  GatewayJson,
  TsJson,
  VpnJson,
} from "./standalone_config.ts";
