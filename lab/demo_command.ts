/**
 * `tandem lab [--keep] [--peer strongswan|tandem]`: the outer command
 * line of the demo (`demo.ts`). Exit status 0 when the tunnel carried the
 * traffic and everything was torn down, 1 on a failure (torn down too), 2
 * when the host cannot run it (not root, a program missing).
 *
 * @module
 */
import { Command, Option } from "commander";
import { DemoUsageError, runDemo } from "./demo.ts";
import type { PeerKind } from "./demo_reference.ts";

interface Flags {
  keep?: boolean;
  peer?: PeerKind;
}

/** The `lab` subcommand for the outer command line. */
export function labCommand(): Command {
  return new Command("lab")
    .description(
      "demo (as root): the reference's IKE configuration on a Tandem gateway in network " +
        "namespaces, a tunnel to strongSwan (or a second Tandem), traffic, show, teardown",
    )
    .option("--keep", "leave the lab running until Ctrl-C")
    .addOption(
      new Option("--peer <peer>", "what runs the remote gateway (default: strongswan if installed)")
        .choices(["strongswan", "tandem"]),
    )
    .action(async (f: Flags) => {
      let code = 0;
      try {
        const s = await runDemo({
          ...(f.keep ? { keep: true } : {}),
          ...(f.peer ? { peer: f.peer } : {}),
        });
        const spisAgree = s.childSpis.tandem.join() === s.childSpis.peer.join();
        if (s.pingReceived === 0 || !spisAgree || !s.deleteSeenByPeer) code = 1;
      } catch (e) {
        console.error(`tandem lab: ${e instanceof Error ? e.message : String(e)}`);
        code = e instanceof DemoUsageError ? 2 : 1;
      }
      Deno.exit(code);
    });
}
