/**
 * The daemon process: `tandem daemon`. Start, in this order (a failure at
 * any step undoes the earlier ones and the daemon exits 1 with the
 * reason):
 *
 * 1. bind the control socket (refused if another daemon answers there; a
 *    stale socket file is replaced) and lock the state directory (refused
 *    if another daemon holds it);
 * 2. open the saved configuration and the record of what Tandem owns in
 *    the kernel; register the services (appliers, checks, operational
 *    commands);
 * 3. read and validate the startup file (`--config`): an invalid file
 *    stops the start here, before anything is applied;
 * 4. clean up what a previous run left that the saved configuration no
 *    longer has, then apply the saved configuration (idempotent: a restart
 *    converges to the same kernel state);
 * 5. commit the startup file, as an ordinary commit on top (if it fails
 *    in an applier, the commit is rolled back and the start fails);
 * 6. start the services, then answer on the control socket.
 *
 * Stop (SIGTERM, SIGINT): stop answering (requests under way finish),
 * stop the services in reverse order, remove the socket, release the
 * lock, exit 0. The kernel configuration stays as it is (see
 * `kernel_service.ts`). SIGHUP reopens the syslog socket.
 *
 * @module
 */
import { type Clock, systemClock } from "../core/clock.ts";
import { type Logger, LogHub } from "../core/log.ts";
import { type Rng, systemRng } from "../core/rng.ts";
import { VERSION } from "../core/version.ts";
import { ApplyError } from "../config/appliers.ts";
import { Datastore } from "../config/datastore.ts";
import { FileStore } from "../config/store.ts";
import { OperationalRegistry } from "../cli/operational.ts";
import { HaGroupRegistry } from "../ha/group.ts";
import { LocalSession } from "../cli/session.ts";
import { Vrfs } from "../kernel/vrf.ts";
import { ControlServer } from "./control_socket.ts";
import { type DaemonShow, registerDaemonViews } from "./daemon_views.ts";
import { haService } from "./ha_service.ts";
import { ikeService } from "./ike_service.ts";
import { kernelService } from "./kernel_service.ts";
import { DaemonLogging, parseLogLevels } from "./logging.ts";
import { Owned } from "./owned.ts";
import type { Service, ServiceContext } from "./service.ts";
import { readStartupFile, StartupFileError } from "./startup_file.ts";
import { StateLock } from "./state_lock.ts";
import { unavailableService } from "./unavailable.ts";
import { vrrpService } from "./vrrp_service.ts";

/** How to run a daemon. */
export interface DaemonOptions {
  readonly socket: string;
  readonly stateDir: string;
  /** Namespace name prefix of the VRFs other than main. */
  readonly vrfPrefix: string;
  /** The startup file to commit (`--config`). */
  readonly configFile?: string;
  /** `--log-level`. */
  readonly logLevels?: string;
  /** The syslog socket to log to when it exists (`/dev/log`). */
  readonly syslog?: string;
  /** Log to stderr (default true). */
  readonly stderr?: boolean;
  readonly services?: readonly Service[];
  readonly clock?: Clock;
  readonly rng?: Rng;
}

/**
 * The services of this build, in start order (they stop in reverse: vrrp
 * first, so a graceful stop hands the master role over before IKE stops).
 */
export function defaultServices(): Service[] {
  return [unavailableService(), kernelService(), haService(), ikeService(), vrrpService()];
}

/** A start that failed; `messages` are ready to print. */
export class DaemonStartError extends Error {
  override name = "DaemonStartError";
  constructor(readonly messages: readonly string[]) {
    super(messages.join("\n"));
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function warnPrivateMounts(log: Logger): void {
  try {
    if (Deno.readLinkSync("/proc/self/ns/mnt") === Deno.readLinkSync("/proc/1/ns/mnt")) return;
  } catch {
    return;
  }
  log.warn(
    "the daemon runs in a private mount namespace (ip netns exec?): the VRF namespaces it " +
      "creates are visible to it only and vanish when it exits; start it with nsenter --net=…",
  );
}

/** A running daemon; see the module doc. */
export class Daemon {
  readonly log: Logger;
  readonly startedAt: number;
  #stopping: Promise<void> | undefined;
  #resolveDone!: (code: number) => void;
  /** Resolves with the exit status once the daemon has stopped. */
  readonly done: Promise<number>;

  private constructor(
    readonly opts: DaemonOptions,
    readonly hub: LogHub,
    readonly logging: DaemonLogging,
    readonly datastore: Datastore,
    readonly services: readonly Service[],
    readonly server: ControlServer,
    readonly lock: StateLock,
    readonly clock: Clock,
  ) {
    this.log = hub.logger("dmn");
    this.startedAt = clock.wallNow();
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  /** Starts a daemon (see the module doc); throws {@linkcode DaemonStartError}. */
  static async start(opts: DaemonOptions): Promise<Daemon> {
    const clock = opts.clock ?? systemClock;
    const hub = new LogHub({ wallNow: () => clock.wallNow() });
    let vrfs: Vrfs;
    try {
      for (const s of opts.logLevels ? parseLogLevels(opts.logLevels) : []) {
        hub.setLevel(s.subsystem, s.level);
      }
      vrfs = new Vrfs(opts.vrfPrefix);
      Deno.mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new DaemonStartError([reason(e)]);
    }
    const logging = new DaemonLogging(hub, {
      stderr: opts.stderr ?? true,
      bindDir: opts.stateDir,
      ...(opts.syslog !== undefined ? { syslog: opts.syslog } : {}),
    });
    const log = hub.logger("dmn");
    warnPrivateMounts(log);
    const undo: Array<() => void | Promise<void>> = [() => logging.close()];
    const fail = async (messages: readonly string[]): Promise<never> => {
      for (const u of undo.reverse()) await u();
      throw new DaemonStartError(messages);
    };
    const registry = new OperationalRegistry();
    let datastore: Datastore | undefined;
    let daemon: Daemon | undefined;
    let server: ControlServer;
    let lock: StateLock;
    try {
      server = await ControlServer.open(opts.socket, {
        hello: () => ({
          daemon: "tandem",
          version: VERSION,
          pid: Deno.pid,
          stateDir: opts.stateDir,
        }),
        session: (user) =>
          new LocalSession(datastore!, { registry, ...(user !== undefined ? { user } : {}) }),
        log: hub.logger("cli"),
      });
      undo.push(() => server.close());
      lock = StateLock.acquire(opts.stateDir, {
        pid: Deno.pid,
        socket: opts.socket,
        started: new Date(clock.wallNow()).toISOString(),
      });
      undo.push(() => lock.release());
    } catch (e) {
      return await fail([reason(e)]);
    }
    const services = opts.services ?? defaultServices();
    let startup;
    try {
      datastore = Datastore.open({
        store: new FileStore(opts.stateDir),
        log: hub.logger("cfg"),
        clock,
      });
      const ctx: ServiceContext = {
        datastore,
        operational: registry,
        vrfs,
        owned: Owned.load(`${opts.stateDir}/owned.json`),
        ha: new HaGroupRegistry(clock, hub.logger("ha")),
        hub,
        clock,
        rng: opts.rng ?? systemRng,
        stateDir: opts.stateDir,
      };
      for (const s of services) s.register(ctx);
      daemon = new Daemon(opts, hub, logging, datastore, services, server, lock, clock);
      const d = daemon;
      registerDaemonViews(registry, hub, () => d.show());
      for (const i of datastore.loadIssues) {
        log.warn(`saved configuration: Cannot commit "${i.path}": ${i.reason}`);
      }
      if (opts.configFile !== undefined) startup = readStartupFile(opts.configFile, datastore);
    } catch (e) {
      return await fail(e instanceof StartupFileError ? e.messages : [reason(e)]);
    }
    try {
      for (const s of services) await s.prepare?.(datastore.typed());
      await datastore.applyRunning();
      log.control(`saved configuration applied (commit ${datastore.version})`);
    } catch (e) {
      const why = reason(e);
      return await fail([
        `Cannot start: the saved configuration (commit ${datastore.version}) does not apply: ${why}`,
      ]);
    }
    if (startup) {
      const r = await datastore.commit(startup, {
        user: "startup",
        comment: `startup file ${opts.configFile}`,
      }).catch((e) => ({ ok: false as const, errors: [reason(e)] }));
      if (!r.ok) return await fail(r.errors.map((m) => `${opts.configFile}: ${m}`));
      log.control(
        r.changed
          ? `startup file ${opts.configFile} committed (commit ${r.version})`
          : `startup file ${opts.configFile}: no changes`,
      );
    }
    try {
      for (const s of services) await s.start?.();
    } catch (e) {
      if (e instanceof ApplyError) return await fail([e.message]);
      return await fail([`Cannot start: ${reason(e)}`]);
    }
    server.serve();
    log.audit(
      `started: pid ${Deno.pid}, socket ${opts.socket}, state directory ${opts.stateDir}, ` +
        `commit ${datastore.version}`,
    );
    return daemon;
  }

  /** What `show daemon` reports. */
  show(): DaemonShow {
    const now = this.clock.wallNow();
    return {
      pid: Deno.pid,
      started: new Date(this.startedAt).toISOString(),
      uptimeSeconds: Math.floor((now - this.startedAt) / 1000),
      socket: this.opts.socket,
      stateDir: this.opts.stateDir,
      vrfPrefix: this.opts.vrfPrefix,
      configVersion: this.datastore.version,
      syslog: this.logging.syslogPath ?? null,
      services: this.services.map((s) => ({ name: s.name, status: s.status?.() ?? "running" })),
    };
  }

  /** Whether a stop has begun. */
  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** Stops the daemon (see the module doc); `done` then resolves with 0. */
  stop(why: string): Promise<void> {
    this.#stopping ??= (async () => {
      this.log.audit(`stopping (${why})`);
      await this.server.close();
      for (const s of [...this.services].reverse()) {
        try {
          await s.stop?.();
        } catch (e) {
          this.log.error(`stopping ${s.name}: ${reason(e)}`);
        }
      }
      this.lock.release();
      this.log.audit("stopped");
      await this.logging.close();
      this.#resolveDone(0);
    })();
    return this.#stopping;
  }
}
