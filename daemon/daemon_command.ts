/**
 * `tandem daemon`: the outer command line of the daemon and its signals
 * (SIGTERM and SIGINT stop it, a second one exits at once with 1; SIGHUP
 * reopens the syslog socket).
 *
 * @module
 */
import { Command } from "commander";
import { DEFAULT_SOCKET } from "../cli/daemon_socket.ts";
import { DEFAULT_STATE_DIR } from "../cli/cli_command.ts";
import { Daemon, type DaemonOptions, DaemonStartError } from "./daemon.ts";

/** Options as commander gives them. */
interface Flags {
  config?: string;
  socket: string;
  stateDir: string;
  vrfPrefix: string;
  logLevel?: string;
  syslog: string | false;
}

/** Runs a daemon until it stops; returns the exit status. */
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  let d: Daemon;
  try {
    d = await Daemon.start(opts);
  } catch (e) {
    const lines = e instanceof DaemonStartError ? e.messages : [String(e)];
    for (const l of lines) console.error(l);
    return 1;
  }
  const stop = (sig: string) => () => {
    if (d.stopping) {
      d.log.error(`${sig} again: exiting at once`);
      Deno.exit(1);
    }
    void d.stop(sig);
  };
  const listeners: Array<[Deno.Signal, () => void]> = [
    ["SIGTERM", stop("SIGTERM")],
    ["SIGINT", stop("SIGINT")],
    ["SIGHUP", () => {
      d.log.control("SIGHUP: reopening the syslog socket");
      void d.logging.reopen();
    }],
  ];
  for (const [sig, fn] of listeners) Deno.addSignalListener(sig, fn);
  const code = await d.done;
  for (const [sig, fn] of listeners) Deno.removeSignalListener(sig, fn);
  return code;
}

/** The `daemon` subcommand for the outer command line. */
export function daemonCommand(): Command {
  return new Command("daemon")
    .description("run the appliance: apply the configuration, serve the control socket")
    .option(
      "--config <file>",
      "startup configuration (show config format) to commit; default: the saved one",
    )
    .option(
      "--socket <path>",
      "control socket for tandem cli",
      Deno.env.get("TANDEM_SOCKET") ?? DEFAULT_SOCKET,
    )
    .option(
      "--state-dir <dir>",
      "where the configuration and the daemon's state are kept",
      Deno.env.get("TANDEM_STATE_DIR") ?? DEFAULT_STATE_DIR,
    )
    .option("--vrf-prefix <prefix>", "namespace name prefix of the VRFs other than main", "")
    .option("--log-level <levels>", "log levels: a level, or subsystem=level,… (all=…)")
    .option("--syslog <path>", "syslog socket, used when it exists", "/dev/log")
    .option("--no-syslog", "do not log to syslog")
    .action(async (f: Flags) => {
      const code = await runDaemon({
        socket: f.socket,
        stateDir: f.stateDir,
        vrfPrefix: f.vrfPrefix,
        ...(f.config !== undefined ? { configFile: f.config } : {}),
        ...(f.logLevel !== undefined ? { logLevels: f.logLevel } : {}),
        ...(f.syslog !== false ? { syslog: f.syslog } : {}),
      });
      Deno.exit(code);
    });
}
