/**
 * The interactive shell on a real pseudo-terminal: `tandem cli` runs in a
 * private tmux server (its own socket, killed at the end); keys are sent one
 * at a time (a Tab inside a burst would arrive as a literal tab, DENO-FACTS
 * §10) and the screen is read back: prompts with the `!` marker, `?` help
 * printed at once with the line redrawn, Tab completion, `..` and `/`,
 * commit, history recall.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { haveProgram, run } from "./netns.ts";
import { tandemCommand } from "../lab/tandem_node.ts";

class Tmux {
  readonly socket = `tc-${Deno.pid}-${Math.floor(performance.now())}`;
  readonly session = "cli";

  async tmux(...args: string[]): Promise<string> {
    return (await run(["tmux", "-L", this.socket, ...args])).stdout;
  }

  async start(command: string): Promise<void> {
    await this.tmux("new-session", "-d", "-s", this.session, "-x", "160", "-y", "60", command);
  }

  /** Sends keys one by one: characters literally, `[Tab]`-style names as keys. */
  async keys(text: string): Promise<void> {
    for (const part of text.split(/(\[[A-Za-z]+\])/)) {
      if (part === "") continue;
      const named = /^\[([A-Za-z]+)\]$/.exec(part);
      if (named) {
        await this.tmux("send-keys", "-t", this.session, named[1]!);
        await sleep(60);
        continue;
      }
      for (const ch of part) {
        await this.tmux("send-keys", "-t", this.session, "-l", ch);
        await sleep(15);
      }
    }
  }

  async screen(): Promise<string[]> {
    const text = await this.tmux("capture-pane", "-p", "-t", this.session);
    return text.split("\n").map((l) => l.trimEnd()).filter((l, i, a) =>
      l !== "" || a.slice(i).some((x) => x)
    );
  }

  /** Waits until the last non-empty screen line satisfies `pred` (the test fails after a long while). */
  async waitLast(pred: (line: string) => boolean, what: string): Promise<string[]> {
    for (let i = 0; i < 200; i++) {
      const s = await this.screen();
      const last = s.filter((l) => l !== "").pop() ?? "";
      if (pred(last)) return s;
      await sleep(50);
    }
    throw new Error(`Timed out waiting for ${what}; screen:\n${(await this.screen()).join("\n")}`);
  }

  async kill(): Promise<void> {
    await run(["tmux", "-L", this.socket, "kill-server"], false);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: "cli pty: prompts, ? help, Tab completion, context moves and commit on a terminal",
  ignore: !haveProgram("tmux"),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "tc-pty-" });
    const t = new Tmux();
    try {
      await t.start(
        `${tandemCommand().join(" ")} cli --state-dir ${dir}`,
      );
      await t.waitLast((l) => l === "tandem running config#", "the first prompt");

      await t.keys("vrf main ike ha ?");
      let s = await t.waitLast(
        (l) => l.startsWith("tandem running config# vrf main ike ha"),
        "the redrawn line",
      );
      const help = s.slice(s.indexOf("tandem running config# vrf main ike ha ?") + 1);
      assert(
        help.some((l) => /^ {2}node-id +identifier of this node in the HA cluster$/.test(l)),
        help.join("\n"),
      );
      assert(help.some((l) => /^ {2}<Enter> +run the command$/.test(l)));
      assertEquals(s[s.length - 1], "tandem running config# vrf main ike ha");

      await t.keys("[Enter]");
      await t.waitLast((l) => l === "tandem running ha#!", "the ha context, changes pending");

      await t.keys("nod[Tab]");
      await t.waitLast((l) => l === "tandem running ha#! node-id", "node-id completed");
      await t.keys("1[Enter]..[Enter]");
      await t.waitLast((l) => l === "tandem running ike#!", "up one level");

      await t.keys("ike-policy-template t ike-proposal 1 dh-group cur[Tab]");
      await t.waitLast((l) => l.endsWith("dh-group curve"), "the common prefix of two values");
      await t.keys("[Tab]");
      s = await t.waitLast((l) => l.endsWith("dh-group curve"), "the values listed");
      assert(s.some((l) => /curve25519 +curve448/.test(l)), s.join("\n"));
      await t.keys("2[Tab][Enter]");
      await t.waitLast(
        (l) => l === "tandem running ike#!",
        "the one-line command keeps the context",
      );
      await t.keys("/[Enter]");
      await t.waitLast((l) => l === "tandem running config#!", "the top");

      await t.keys("discard[Enter]system hostname ha1[Enter]");
      await t.waitLast((l) => l === "tandem running config#!", "a pending host name");
      await t.keys("commit[Enter]");
      s = await t.waitLast(
        (l) => l === "ha1 running config#",
        "the committed host name in the prompt",
      );
      assert(s.includes("Configuration committed."));

      await t.keys("[Up]");
      await t.waitLast((l) => l === "ha1 running config# commit", "history recall");
      await t.keys("[BSpace][BSpace][BSpace][BSpace][BSpace][BSpace]exit[Enter]");
      for (
        let i = 0;
        i < 100 &&
        (await run(["tmux", "-L", t.socket, "has-session", "-t", "cli"], false)).code === 0;
        i++
      ) {
        await sleep(50);
      }
      assertEquals(
        (await run(["tmux", "-L", t.socket, "has-session", "-t", "cli"], false)).code !== 0,
        true,
      );
      assert(Deno.readTextFileSync(`${dir}/config.txt`).includes("hostname ha1"));
      assert(Deno.readTextFileSync(`${dir}/cli_history`).includes("system hostname ha1\ncommit\n"));
    } finally {
      await t.kill();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
