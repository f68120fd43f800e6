/**
 * The appliance shell: sessions (local, or carried as JSON over the
 * daemon's control socket), operational command registration, the shell
 * itself and `tandem cli`.
 *
 * @module
 */
export {
  LocalSession,
  type OperationalResult,
  type RunningConfig,
  type Session,
} from "./session.ts";
export {
  RpcSession,
  serveSessionRequest,
  SESSION_METHODS,
  type SessionMethod,
  type SessionRequest,
  type SessionResponse,
} from "./session_rpc.ts";
export {
  type OperationalArg,
  type OperationalArgInfo,
  type OperationalCommand,
  type OperationalInfo,
  OperationalRegistry,
} from "./operational.ts";
export { Shell, type ShellResult } from "./shell.ts";
export {
  cliCommand,
  type CliOptions,
  DEFAULT_STATE_DIR,
  localSession,
  openSession,
  runCli,
} from "./cli_command.ts";
export {
  connectSession,
  DaemonConnection,
  daemonHolding,
  type DaemonRecord,
  DEFAULT_SOCKET,
  type Hello,
  type HelloReply,
  probeDaemon,
  type WireRequest,
} from "./daemon_socket.ts";
