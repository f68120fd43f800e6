/**
 * Cleanup on every way out of a lab process. Each live lab registers here;
 * the first registration installs SIGINT/SIGTERM/SIGHUP listeners that
 * dispose every live lab and then exit with 128 + signal number. A second
 * signal during that cleanup falls back to the synchronous last-resort
 * cleanup and exits at once. The `unload` event (normal end of the
 * program, `Deno.exit`) runs the synchronous cleanup of labs that were never
 * disposed.
 *
 * @module
 */

/** What a lab offers the guard. */
export interface Guarded {
  /** Full, asynchronous cleanup. */
  dispose(): Promise<void>;
  /** Best-effort cleanup that uses only synchronous calls (for `unload`). */
  disposeSync(): void;
}

const SIGNALS: Array<[Deno.Signal, number]> = [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]];

const live = new Set<Guarded>();
let listeners: Array<[Deno.Signal, () => void]> = [];
let exiting = false;
let intercept: (() => void) | undefined;

function onUnload(): void {
  for (const g of [...live]) {
    try {
      g.disposeSync();
    } catch { /* best effort at exit */ }
  }
  live.clear();
}

async function onSignal(signo: number): Promise<void> {
  if (exiting) {
    onUnload();
    Deno.exit(128 + signo);
  }
  exiting = true;
  if (intercept) {
    const fn = intercept;
    intercept = undefined;
    fn();
    return;
  }
  await Promise.allSettled([...live].map((g) => g.dispose()));
  Deno.exit(128 + signo);
}

/**
 * Lets a program handle the next signal itself (e.g. `tandem lab --keep`
 * waiting for Ctrl-C, then tearing down in order): `fn` runs instead of the
 * guard's cleanup and exit; a second signal still cleans up at once and
 * exits. `undefined` gives the signal back to the guard.
 */
export function interceptSignals(fn: (() => void) | undefined): void {
  intercept = fn;
}

function install(): void {
  listeners = SIGNALS.map(([sig, no]) => [sig, () => void onSignal(no)]);
  for (const [sig, fn] of listeners) Deno.addSignalListener(sig, fn);
  globalThis.addEventListener("unload", onUnload);
}

function uninstall(): void {
  for (const [sig, fn] of listeners) Deno.removeSignalListener(sig, fn);
  listeners = [];
  globalThis.removeEventListener("unload", onUnload);
}

/** Starts guarding `g` until {@linkcode release}. */
export function guard(g: Guarded): void {
  if (live.size === 0 && listeners.length === 0) install();
  live.add(g);
}

/** Stops guarding `g` (after its dispose); the last release removes the listeners. */
export function release(g: Guarded): void {
  live.delete(g);
  if (live.size === 0 && !exiting) uninstall();
}

/** Number of labs currently guarded (for tests). */
export function guardedCount(): number {
  return live.size;
}
