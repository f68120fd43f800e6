/**
 * Snapshots of `?` help and Tab completion at representative points of the
 * command tree (tests/vectors/config/snapshots/help.txt), and of the
 * one-shot command's `--help`. A change to the schema's help text or order
 * shows up here. Regenerate with TANDEM_UPDATE_SNAPSHOTS=1 after checking
 * the diff.
 *
 * @module
 */
import { assertEquals } from "./assert.ts";
import { Datastore } from "../config/datastore.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { LocalSession } from "../cli/session.ts";
import { OperationalRegistry } from "../cli/operational.ts";
import { Shell } from "../cli/shell.ts";
import { buildProgram } from "../main.ts";

const SNAP = new URL("./vectors/config/snapshots/", import.meta.url);
const UPDATE = Deno.env.get("TANDEM_UPDATE_SNAPSHOTS") === "1";

function compare(name: string, actual: string): void {
  const url = new URL(name, SNAP);
  if (UPDATE) Deno.writeTextFileSync(url, actual);
  assertEquals(actual, Deno.readTextFileSync(url));
}

/** [context (a command run first), the line typed before ? or Tab]. */
const POINTS: ReadonlyArray<[string, string]> = [
  ["/", ""],
  ["/", "show "],
  ["/", "show config "],
  ["/", "vrf "],
  ["/ vrf main", ""],
  ["/ vrf main", "interface "],
  ["/ vrf main interface", "vrrp vrrp51 "],
  ["/ vrf main interface", "vrrp vrrp51 link-interface "],
  ["/ vrf main interface", "vrrp vrrp51 advertisement-interval "],
  ["/ vrf main ike", ""],
  ["/ vrf main ike", "global-options "],
  ["/ vrf main ike", "ike-policy-template ike1 "],
  ["/ vrf main ike", "ike-policy-template ike1 ike-proposal 1 "],
  ["/ vrf main ike", "ike-policy-template ike1 ike-proposal 1 enc-alg "],
  ["/ vrf main ike", "ike-policy-template ike1 ike-proposal 1 dh-group "],
  ["/ vrf main ike", "ipsec-policy-template ipsec1 esp-proposal 1 auth-alg "],
  ["/ vrf main ike", "vpn vpn-secgw "],
  ["/ vrf main ike", "vpn vpn-secgw security-policy p "],
  ["/ vrf main ike", "vpn vpn-secgw security-policy p local-ts "],
  ["/ vrf main ike", "vpn vpn-secgw security-policy p mode "],
  ["/ vrf main ike ha", ""],
  ["/ vrf main ike ha", "node-id "],
  ["/ vrf main ike ha", "node-id 1 "],
  ["/ vrf main ike ha", "listen-ha-group "],
  ["/ vrf main ike ha", "seqnum-sync "],
  ["/ vrf main ike ha", "pool p "],
  ["/", "ha group g "],
  ["/", "delete vrf main interface "],
  ["/", "rollback "],
  ["/", "show vrrp "],
];

Deno.test("cli snapshots: ? help and Tab completion across the command tree", async () => {
  const ds = Datastore.open();
  await ds.commit(
    parseConfigText(
      ROOT,
      Deno.readTextFileSync(new URL("./vectors/config/ha1.conf", import.meta.url)),
    ),
  );
  const registry = new OperationalRegistry();
  registry.register({
    words: ["show", "vrrp"],
    help: "state of the VRRP instances",
    args: [{
      name: "instance",
      syntax: "<instance>",
      help: "one instance",
      optional: true,
      complete: () => ["vrrp51", "vrrp52"],
    }],
    run: () => "",
  });
  const out: string[] = [];
  for (const [context, line] of POINTS) {
    const shell = await Shell.create(new LocalSession(ds, { registry }));
    await shell.execute(context);
    const tab = (await shell.complete(line)).candidates.map((c) => c.word).filter((w) =>
      !w.startsWith("<")
    );
    out.push(
      `### ${shell.prompt()}${line}?`,
      ...(await shell.help(line)),
      `--- Tab: ${tab.join(" ")}`,
      "",
    );
  }
  compare("help.txt", out.join("\n"));
});

Deno.test("cli snapshots: tandem cli --help", () => {
  const program = buildProgram();
  const cli = program.commands.find((c) => c.name() === "cli")!;
  compare(
    "cli-help.txt",
    cli.helpInformation().replace(/\(default:\s+"[^"]*"\)/, '(default: "<state dir>")'),
  );
});
