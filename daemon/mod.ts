/**
 * The daemon: `tandem daemon`, its control socket, the services that plug
 * into it (appliers, checks, operational commands, start/stop), the kernel
 * appliers (VRF namespaces, physical and loopback interfaces, addresses,
 * static routes), the IKE service (one gateway per VRF, SVTI interfaces,
 * `show ike`, `show ipsec`, `flush ike`), the operational-command
 * convention (`--json`), logging sinks.
 *
 * @module
 */
export { Daemon, type DaemonOptions, DaemonStartError, defaultServices } from "./daemon.ts";
export { daemonCommand, runDaemon } from "./daemon_command.ts";
export { ORDER, type Service, type ServiceContext } from "./service.ts";
export { UNAVAILABLE, unavailableService } from "./unavailable.ts";
export { JSON_ARG, registerView, table, type View } from "./views.ts";
export { KernelAppliers, kernelService } from "./kernel_service.ts";
export { ikeService } from "./ike_service.ts";
export { IkeGateways, type IkeGatewaysOptions } from "./ike_gateways.ts";
export { checkIkeRunnable, type GatewayPlan, gatewayPlan, type PoolPlan } from "./ike_plan.ts";
export { checkSvti, SvtiApplier } from "./svti_applier.ts";
export { type FlushResult, type IkeShow, type IpsecShow, registerIkeViews } from "./ike_views.ts";
export { type ChildSaShow, type IkeSaCount, type IkeSaShow } from "./ike_show.ts";
export { KernelEnv, withUndo } from "./kernel_env.ts";
export { Owned, type OwnedLink, type OwnedRoute } from "./owned.ts";
export { type InterfaceShow } from "./show_interface.ts";
export { type DaemonShow } from "./daemon_views.ts";
export { ControlServer } from "./control_socket.ts";
export { StateLock } from "./state_lock.ts";
export { DaemonLogging, parseLogLevels } from "./logging.ts";
export { formatSyslog, SyslogSink } from "./syslog.ts";
export { HA_EARLY_ORDER, haGroupsData, haService, reconcileHaGroup } from "./ha_service.ts";
export { registerVrrpAppliers, VRRP_PATTERNS, vrrpData, vrrpService } from "./vrrp_service.ts";
export { type VrrpRuntimeLike, VrrpRuntimes, type VrrpRuntimesDeps } from "./vrrp_runtimes.ts";
export { vrrpGroupSpec, vrrpInstanceSpec, vrrpRuntimeConfig } from "./vrrp_config.ts";
