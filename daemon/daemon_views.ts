/**
 * The daemon's own operational commands: `show log [subsystem <s>]
 * [level <l>] [count <n>]` (recent records from the log ring, at or above
 * the level), `show log levels`, `log level <subsystem|all> <level>` (the
 * threshold at run time), `show version`, `show daemon`.
 *
 * @module
 */
import {
  formatRecord,
  isLevel,
  isSubsystem,
  type Level,
  LEVELS,
  type LogHub,
  type Subsystem,
  SUBSYSTEMS,
} from "../core/log.ts";
import { VERSION } from "../core/version.ts";
import type { OperationalRegistry } from "../cli/operational.ts";
import { registerView, table } from "./views.ts";

/** What `show daemon` reports. */
export interface DaemonShow {
  readonly pid: number;
  /** ISO time of the start. */
  readonly started: string;
  readonly uptimeSeconds: number;
  readonly socket: string;
  readonly stateDir: string;
  readonly vrfPrefix: string;
  readonly configVersion: number;
  readonly syslog: string | null;
  readonly services: readonly { readonly name: string; readonly status: string }[];
}

const DEFAULT_COUNT = 100;

function levels(hub: LogHub): Record<Subsystem, Level> {
  return Object.fromEntries(SUBSYSTEMS.map((s) => [s, hub.level(s)])) as Record<Subsystem, Level>;
}

function renderLevels(l: Record<Subsystem, Level>): string {
  return table(["Subsystem", "Level"], Object.entries(l).map(([s, v]) => [s, v]));
}

/** Registers the commands of the module doc. */
export function registerDaemonViews(
  registry: OperationalRegistry,
  hub: LogHub,
  show: () => DaemonShow,
): void {
  const subsystemArg = {
    name: "subsystem",
    syntax: "<subsystem>",
    help: "a subsystem",
    complete: () => [...SUBSYSTEMS],
  };
  const levelArg = {
    name: "level",
    syntax: "<level>",
    help: "a level",
    complete: () => [...LEVELS],
  };
  registerView(registry, {
    words: ["show", "log"],
    help: "recent log records",
    args: [
      { ...subsystemArg, keyword: "subsystem", optional: true, help: "only this subsystem" },
      { ...levelArg, keyword: "level", optional: true, help: "only at this level or more severe" },
      {
        name: "count",
        keyword: "count",
        syntax: "<n>",
        optional: true,
        help: `the last n records (default ${DEFAULT_COUNT})`,
      },
    ],
    data: (a) => {
      const sub = a["subsystem"];
      const level = a["level"];
      const count = a["count"] === undefined ? DEFAULT_COUNT : Number(a["count"]);
      if (sub !== undefined && !isSubsystem(sub)) throw new Error(`unknown subsystem "${sub}"`);
      if (level !== undefined && !isLevel(level)) throw new Error(`unknown level "${level}"`);
      if (!Number.isSafeInteger(count) || count < 1) {
        throw new Error(`count "${a["count"]}" is not a positive number`);
      }
      const records = hub.recent({
        ...(sub !== undefined ? { subsystem: sub } : {}),
        ...(level !== undefined ? { level } : {}),
        limit: count,
      });
      return {
        records: records.map((r) => ({
          time: new Date(r.time).toISOString(),
          subsystem: r.subsystem,
          level: r.level,
          message: r.message,
        })),
      };
    },
    text: (d) =>
      d.records.map((r) => formatRecord({ ...r, time: Date.parse(r.time) }) + "\n").join(""),
  });
  registerView(registry, {
    words: ["show", "log", "levels"],
    help: "the log level of every subsystem",
    data: () => ({ levels: levels(hub) }),
    text: (d) => renderLevels(d.levels),
  });
  registerView(registry, {
    words: ["log", "level"],
    help: "set the log level of a subsystem (or all) until the daemon stops",
    args: [
      { ...subsystemArg, complete: () => ["all", ...SUBSYSTEMS] },
      levelArg,
    ],
    data: (a) => {
      const sub = a["subsystem"]!;
      const level = a["level"]!;
      if (sub !== "all" && !isSubsystem(sub)) throw new Error(`unknown subsystem "${sub}"`);
      if (!isLevel(level)) throw new Error(`unknown level "${level}"`);
      hub.setLevel(sub, level);
      hub.logger("dmn").audit(`log level of ${sub} set to ${level}`);
      return { levels: levels(hub) };
    },
    text: (d) => renderLevels(d.levels),
  });
  registerView(registry, {
    words: ["show", "version"],
    help: "firmware and runtime versions",
    data: () => ({
      version: VERSION,
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
    }),
    text: (d) => `Tandem ${d.version}\nDeno ${d.deno} (V8 ${d.v8}, TypeScript ${d.typescript})\n`,
  });
  registerView(registry, {
    words: ["show", "daemon"],
    help: "the daemon process: pid, uptime, socket, state directory, services",
    data: () => show(),
    text: (d) =>
      [
        `pid ${d.pid}, started ${d.started} (up ${d.uptimeSeconds} s)`,
        `socket ${d.socket}`,
        `state directory ${d.stateDir}`,
        `vrf namespace prefix "${d.vrfPrefix}"`,
        `running configuration: commit ${d.configVersion}`,
        `syslog ${d.syslog ?? "off"}`,
        `services ${d.services.map((s) => `${s.name} (${s.status})`).join(", ")}`,
      ].join("\n") + "\n",
  });
}
