/**
 * The operational command convention: a command is a {@linkcode View}, a
 * function computing JSON-able data (and doing the action, for commands
 * such as `log level` or `flush ike`) plus a text renderer for that data.
 * Every view accepts `--json` anywhere after its words, and then prints
 * the data itself as JSON (2-space indented, one object, with a named
 * array for lists, e.g. `{"interfaces": [...]}`) instead of the text.
 * Field names are camelCase; times are ISO 8601 strings; counters are
 * numbers.
 *
 * Phase-2 shows plug in the same way, e.g.
 * `registerView(ctx.operational, { words: ["show", "ha", "group"], help, data: () =>
 * ({ groups: showHaGroups(groups) }), text: (d) => renderHaGroups(d.groups) })`.
 *
 * @module
 */
import type { OperationalArg, OperationalRegistry } from "../cli/operational.ts";

/** An operational command as data + text; see the module doc. */
export interface View<T> {
  readonly words: readonly string[];
  readonly help: string;
  /** Arguments besides `--json` (keyword ones: `{ keyword: "vrf", … }`). */
  readonly args?: readonly OperationalArg[];
  /** The data (after doing the command's action, if any); `named` holds the arguments given. */
  data(named: Readonly<Record<string, string>>): T | Promise<T>;
  text(data: T, named: Readonly<Record<string, string>>): string;
}

/** The `--json` flag every view takes. */
export const JSON_ARG: OperationalArg = {
  name: "json",
  keyword: "--json",
  flag: true,
  optional: true,
  syntax: "--json",
  help: "print the data as JSON",
};

/** Registers a view; returns the function that removes it. */
export function registerView<T>(registry: OperationalRegistry, view: View<T>): () => void {
  return registry.register({
    words: view.words,
    help: view.help,
    args: [...(view.args ?? []), JSON_ARG],
    run: async (_args, named) => {
      const data = await view.data(named);
      return named["json"] !== undefined
        ? JSON.stringify(data, null, 2) + "\n"
        : view.text(data, named);
    },
  });
}

/** Left-aligned columns: a header row then data rows, two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}
