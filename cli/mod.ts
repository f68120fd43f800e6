/**
 * The appliance shell: sessions (local, or carried as JSON), operational
 * command registration, the shell itself and `tandem cli`.
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
export { cliCommand, DEFAULT_STATE_DIR, localSession, runCli } from "./cli_command.ts";
