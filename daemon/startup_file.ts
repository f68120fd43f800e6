/**
 * The startup file (`tandem daemon --config <file>`): a configuration in
 * the `show config` text format (or any file of CLI edit commands), read
 * and validated completely before the daemon applies anything. Errors
 * name the file and, for a line that does not parse, the line:
 * `/etc/tandem.conf:12: Cannot parse "adress": not a node of ipv4; …`.
 *
 * @module
 */
import { LoadError, parseConfigText } from "../config/editor.ts";
import type { Datastore } from "../config/datastore.ts";
import type { TreeObject } from "../config/tree.ts";

/** A startup file that cannot be used; `messages` are ready to print. */
export class StartupFileError extends Error {
  override name = "StartupFileError";
  constructor(readonly messages: readonly string[]) {
    super(messages.join("\n"));
  }
}

/** Reads, parses and validates `path` against the datastore's schema and checks. */
export function readStartupFile(path: string, ds: Datastore): TreeObject {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw new StartupFileError([`Cannot read "${path}": ${e instanceof Error ? e.message : e}`]);
  }
  let tree: TreeObject;
  try {
    tree = parseConfigText(ds.root, text);
  } catch (e) {
    if (e instanceof LoadError) {
      throw new StartupFileError([`${path}:${e.line}: ${e.message.replace(/^line \d+: /, "")}`]);
    }
    throw e;
  }
  const errors = ds.validate(tree);
  if (errors.length) throw new StartupFileError(errors.map((m) => `${path}: ${m}`));
  return tree;
}
