/**
 * The `tandem` binary: one entry point for every role the appliance plays.
 * This file only parses the outer command line and hands over to the
 * subsystem that owns the command.
 *
 * @module
 */
import { Command } from "commander";
import { VERSION } from "./core/version.ts";
import { cliCommand } from "./cli/cli_command.ts";
import { daemonCommand } from "./daemon/daemon_command.ts";

export function buildProgram(): Command {
  const program = new Command("tandem")
    .description("Tandem: high-availability IPsec security gateway firmware")
    .version(VERSION, "-V, --version", "print the firmware version")
    .showHelpAfterError()
    .helpCommand(false);
  program.addCommand(cliCommand());
  program.addCommand(daemonCommand());
  return program;
}

if (import.meta.main) {
  await buildProgram().parseAsync(Deno.args, { from: "user" });
}
