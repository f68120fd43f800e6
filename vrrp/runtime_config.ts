/**
 * The configuration a {@linkcode VrrpRuntime} runs from: the VRRP part of
 * one VRF, as plain data whose fields mirror the reference's CLI leaves
 * (RFC 5798 §6.1 parameters under the vendor's names), so the daemon maps
 * `interface vrrp <name>` and `vrrp group <name>` onto it one to one:
 *
 * | CLI (`vrf <vrf>` …)                       | field                                   |
 * | ----------------------------------------- | --------------------------------------- |
 * | `interface vrrp <name>`                   | `instances[].name`                      |
 * | `… link-interface eth1`                   | `instances[].linkInterface`             |
 * | `… vrid 1`                                | `instances[].vrid`                      |
 * | `… priority 100`                          | `instances[].priority` (default 100)    |
 * | `… advertisement-interval 1000` (ms)      | `instances[].advertisementInterval`     |
 * | `… virtual-address 10.100.0.2/24` (list)  | `instances[].virtualAddresses`          |
 * | `… version 3`                             | `instances[].version` (3 only)          |
 * | `… preempt true`                          | `instances[].preempt` (default true)    |
 * | `… preempt-delay 0` (ms)                  | `instances[].preemptDelay`              |
 * | `vrrp group <name>`                       | `groups[].name`                         |
 * | `… instance vrrp51` (list)                | `groups[].instances`                    |
 * | `… notify-ha-group ha-group1`             | `groups[].notifyHaGroup`                |
 *
 * `ha group <name>` itself is not here: HA groups live in the daemon's
 * {@linkcode HaGroupRegistry}, which the runtime is given.
 *
 * Validation covers the whole configuration before anything is applied, in
 * the project's error voice. Everything the instance state machine checks
 * (ranges, one family per instance) is checked by resolving each instance
 * once with a placeholder primary address.
 *
 * @module
 */
import {
  formatPrefix,
  type InterfaceAddress,
  type IpAddress,
  parseInterfaceAddress,
  parseIp,
} from "../core/ip.ts";
import { resolveVrrpConfig, type VrrpInstanceConfig } from "./config.ts";

/** `interface vrrp <name>`. */
export interface VrrpInterfaceSpec {
  /** The interface name; also the Linux macvlan carrying the virtual MAC. */
  readonly name: string;
  /** `link-interface`: the link the virtual router lives on. */
  readonly linkInterface: string;
  /** `vrid`, 1..255. */
  readonly vrid: number;
  /** `priority`, 1..255. */
  readonly priority?: number;
  /** `advertisement-interval` in milliseconds (10..40950; sent in centiseconds). */
  readonly advertisementInterval?: number;
  /** `virtual-address` entries, `addr/len`, one family. */
  readonly virtualAddresses: readonly string[];
  /** `version`: only 3 (RFC 5798) is spoken. */
  readonly version?: number;
  /** `preempt`. */
  readonly preempt?: boolean;
  /** `preempt-delay` in milliseconds. */
  readonly preemptDelay?: number;
}

/** `vrrp group <name>`. */
export interface VrrpGroupSpec {
  readonly name: string;
  /** `instance` entries: names of `interface vrrp` instances of the same VRF. */
  readonly instances: readonly string[];
  /** `notify-ha-group`. */
  readonly notifyHaGroup?: string;
}

/** The VRRP configuration of one VRF. */
export interface VrrpRuntimeConfig {
  readonly instances: readonly VrrpInterfaceSpec[];
  readonly groups?: readonly VrrpGroupSpec[];
}

/** The placeholder primary address of an instance whose link has none yet. */
export function unspecifiedAddress(family: 4 | 6): IpAddress {
  return parseIp(family === 4 ? "0.0.0.0" : "::");
}

/** The virtual addresses of a spec, parsed. */
export function specAddresses(spec: VrrpInterfaceSpec): InterfaceAddress[] {
  return spec.virtualAddresses.map((text) => {
    try {
      return parseInterfaceAddress(text);
    } catch (e) {
      throw new RangeError(
        `Cannot set "virtual-address" of vrrp ${spec.name}: ${(e as Error).message}`,
      );
    }
  });
}

/** The address family of a spec (from its first virtual address; 4 when it has none). */
export function specFamily(spec: VrrpInterfaceSpec): 4 | 6 {
  const first = spec.virtualAddresses[0];
  return first !== undefined && first.includes(":") ? 6 : 4;
}

/** The state-machine configuration of a spec, with the link's current primary address. */
export function instanceConfig(
  spec: VrrpInterfaceSpec,
  primaryAddress: IpAddress,
): VrrpInstanceConfig {
  return {
    name: spec.name,
    linkInterface: spec.linkInterface,
    vrid: spec.vrid,
    virtualAddresses: specAddresses(spec),
    primaryAddress,
    ...(spec.priority === undefined ? {} : { priority: spec.priority }),
    ...(spec.advertisementInterval === undefined
      ? {}
      : { advertisementIntervalMs: spec.advertisementInterval }),
    ...(spec.preempt === undefined ? {} : { preempt: spec.preempt }),
    ...(spec.preemptDelay === undefined ? {} : { preemptDelayMs: spec.preemptDelay }),
  };
}

/**
 * Checks a whole configuration; throws the first problem as a RangeError
 * in the project's voice. Returns the configuration for chaining.
 */
export function validateRuntimeConfig(c: VrrpRuntimeConfig): VrrpRuntimeConfig {
  const names = new Set<string>();
  const vrids = new Map<string, string>();
  for (const s of c.instances) {
    if (names.has(s.name)) throw new RangeError(`Cannot create vrrp ${s.name} twice`);
    names.add(s.name);
    if (s.version !== undefined && s.version !== 3) {
      throw new RangeError(
        `Cannot set "version" of vrrp ${s.name} to ${s.version}: only VRRPv3 (RFC 5798) is supported`,
      );
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/.test(s.linkInterface)) {
      throw new RangeError(
        `Cannot set "link-interface" of vrrp ${s.name}: "${s.linkInterface}" is not an interface name`,
      );
    }
    if (s.linkInterface === s.name) {
      throw new RangeError(`Cannot set "link-interface" of vrrp ${s.name}: it is the vrrp itself`);
    }
    const family = specFamily(s);
    const resolved = resolveVrrpConfig(instanceConfig(s, unspecifiedAddress(family)));
    const key = `${s.linkInterface}/${family}/${resolved.vrid}`;
    const other = vrids.get(key);
    if (other !== undefined) {
      throw new RangeError(
        `Cannot set "vrid" of vrrp ${s.name} to ${s.vrid}: vrrp ${other} uses it on ${s.linkInterface}`,
      );
    }
    vrids.set(key, s.name);
  }
  for (const s of c.instances) {
    if (names.has(s.linkInterface)) {
      throw new RangeError(
        `Cannot set "link-interface" of vrrp ${s.name}: ${s.linkInterface} is a vrrp interface`,
      );
    }
  }
  const groups = new Set<string>();
  const member = new Map<string, string>();
  for (const g of c.groups ?? []) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(g.name)) {
      throw new RangeError(`Cannot create vrrp group "${g.name}": not a valid name`);
    }
    if (groups.has(g.name)) throw new RangeError(`Cannot create vrrp group ${g.name} twice`);
    groups.add(g.name);
    for (const i of g.instances) {
      if (!names.has(i)) {
        throw new RangeError(`Cannot add instance ${i} to vrrp group ${g.name}: no vrrp ${i}`);
      }
      const other = member.get(i);
      if (other !== undefined) {
        throw new RangeError(
          `Cannot add instance ${i} to vrrp group ${g.name}: it is in vrrp group ${other}`,
        );
      }
      member.set(i, g.name);
    }
  }
  return c;
}

/** Whether two specs differ only in `priority` (which changes live). */
export function sameButPriority(a: VrrpInterfaceSpec, b: VrrpInterfaceSpec): boolean {
  const norm = (s: VrrpInterfaceSpec) =>
    JSON.stringify([
      s.name,
      s.linkInterface,
      s.vrid,
      s.advertisementInterval ?? 1000,
      specAddresses(s).map(formatPrefix),
      s.version ?? 3,
      s.preempt ?? true,
      s.preemptDelay ?? 0,
    ]);
  return norm(a) === norm(b);
}

/** Whether two group specs are the same. */
export function sameGroup(a: VrrpGroupSpec, b: VrrpGroupSpec): boolean {
  return a.name === b.name && a.notifyHaGroup === b.notifyHaGroup &&
    a.instances.length === b.instances.length &&
    a.instances.every((i, n) => b.instances[n] === i);
}

function fail(where: string, what: string): never {
  throw new RangeError(`Cannot read the vrrp configuration: ${where} ${what}`);
}

function str(v: unknown, where: string): string {
  if (typeof v !== "string") fail(where, "must be a string");
  return v;
}

function num(v: unknown, where: string): number {
  if (typeof v !== "number") fail(where, "must be a number");
  return v;
}

function strings(v: unknown, where: string): string[] {
  if (!Array.isArray(v)) fail(where, "must be a list of strings");
  return v.map((x, i) => str(x, `${where}[${i}]`));
}

function record(v: unknown, where: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(where, "must be an object");
  for (const k of Object.keys(v)) if (!keys.includes(k)) fail(`${where}.${k}`, "is not a field");
  return v as Record<string, unknown>;
}

const INSTANCE_KEYS = [
  "name",
  "linkInterface",
  "vrid",
  "priority",
  "advertisementInterval",
  "virtualAddresses",
  "version",
  "preempt",
  "preemptDelay",
] as const;

/** Reads a configuration from parsed JSON (the standalone runner's file), then validates it. */
export function parseRuntimeConfig(json: unknown): VrrpRuntimeConfig {
  const top = record(json, "the top level", ["instances", "groups"]);
  if (!Array.isArray(top.instances)) fail("instances", "must be a list");
  const instances = top.instances.map((v, i): VrrpInterfaceSpec => {
    const w = `instances[${i}]`;
    const o = record(v, w, INSTANCE_KEYS);
    const opt = <T>(k: string, f: (x: unknown, w: string) => T): T | undefined =>
      o[k] === undefined ? undefined : f(o[k], `${w}.${k}`);
    const bool = (x: unknown, where: string) => {
      if (typeof x !== "boolean") fail(where, "must be true or false");
      return x;
    };
    const spec: Record<string, unknown> = {
      name: str(o.name, `${w}.name`),
      linkInterface: str(o.linkInterface, `${w}.linkInterface`),
      vrid: num(o.vrid, `${w}.vrid`),
      virtualAddresses: strings(o.virtualAddresses, `${w}.virtualAddresses`),
      priority: opt("priority", num),
      advertisementInterval: opt("advertisementInterval", num),
      version: opt("version", num),
      preempt: opt("preempt", bool),
      preemptDelay: opt("preemptDelay", num),
    };
    for (const k of Object.keys(spec)) if (spec[k] === undefined) delete spec[k];
    return spec as unknown as VrrpInterfaceSpec;
  });
  const groupsIn = top.groups ?? [];
  if (!Array.isArray(groupsIn)) fail("groups", "must be a list");
  const groups = groupsIn.map((v, i): VrrpGroupSpec => {
    const w = `groups[${i}]`;
    const o = record(v, w, ["name", "instances", "notifyHaGroup"]);
    return {
      name: str(o.name, `${w}.name`),
      instances: strings(o.instances, `${w}.instances`),
      ...(o.notifyHaGroup === undefined
        ? {}
        : { notifyHaGroup: str(o.notifyHaGroup, `${w}.notifyHaGroup`) }),
    };
  });
  return validateRuntimeConfig({ instances, groups });
}
