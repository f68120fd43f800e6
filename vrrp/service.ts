/**
 * The VRRP subsystem of one VRF: its instances (`interface vrrp <name>`),
 * sync groups (`vrrp group <name>`), the receivers the I/O layer feeds, and
 * the HA groups they notify. Configuration apply adds and removes through
 * this object; `show vrrp` reads it.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { Family } from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import type { HaController, HaGroupRegistry } from "../ha/group.ts";
import type { VrrpInstanceConfig } from "./config.ts";
import { instanceHaController, VrrpGroup } from "./group.ts";
import { VrrpInstance } from "./instance.ts";
import type { VrrpPort } from "./port.ts";
import { VrrpReceiver } from "./receiver.ts";
import { showVrrp, type VrrpShow } from "./show.ts";

interface Notify {
  readonly haGroup: string;
  readonly controller: HaController;
}

export class VrrpService {
  #clock: Clock;
  #log: Logger;
  #ha: HaGroupRegistry;
  #instances = new Map<string, VrrpInstance>();
  #groups = new Map<string, VrrpGroup>();
  #receivers = new Map<string, VrrpReceiver>();
  #notify = new Map<string, Notify>();

  constructor(deps: { clock: Clock; log: Logger; ha: HaGroupRegistry }) {
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#ha = deps.ha;
  }

  instance(name: string): VrrpInstance | undefined {
    return this.#instances.get(name);
  }
  group(name: string): VrrpGroup | undefined {
    return this.#groups.get(name);
  }
  get instances(): VrrpInstance[] {
    return [...this.#instances.values()];
  }
  get groups(): VrrpGroup[] {
    return [...this.#groups.values()];
  }

  /** The receiver of a link and family (the I/O layer feeds it), if any instance runs there. */
  receiver(link: string, family: Family): VrrpReceiver | undefined {
    return this.#receivers.get(`${link}/${family}`);
  }
  get receivers(): VrrpReceiver[] {
    return [...this.#receivers.values()];
  }

  /** Creates an instance (not started); `notifyHaGroup` makes it drive that HA group alone. */
  addInstance(
    config: VrrpInstanceConfig,
    port: VrrpPort,
    opts: { notifyHaGroup?: string } = {},
  ): VrrpInstance {
    if (this.#instances.has(config.name)) {
      throw new Error(`Cannot create vrrp ${config.name}: it exists`);
    }
    const inst = new VrrpInstance(config, { clock: this.#clock, log: this.#log, port });
    const key = `${inst.config.linkInterface}/${inst.config.family}`;
    const rx = this.#receivers.get(key) ??
      new VrrpReceiver(inst.config.linkInterface, inst.config.family);
    rx.add(inst);
    this.#receivers.set(key, rx);
    this.#instances.set(inst.name, inst);
    if (opts.notifyHaGroup !== undefined) {
      this.#attach(`instance ${inst.name}`, opts.notifyHaGroup, instanceHaController(inst));
    }
    return inst;
  }

  /** Stops and removes an instance (priority 0 if it was master). */
  removeInstance(name: string): void {
    const inst = this.#instances.get(name);
    if (!inst) throw new Error(`Cannot remove vrrp ${name}: no such instance`);
    this.#detach(`instance ${name}`);
    for (const g of this.#groups.values()) g.removeMember(inst);
    inst.stop("removed");
    const key = `${inst.config.linkInterface}/${inst.config.family}`;
    const rx = this.#receivers.get(key)!;
    rx.remove(inst);
    if (rx.instances.length === 0) this.#receivers.delete(key);
    this.#instances.delete(name);
  }

  /** Creates a sync group of existing instances, optionally notifying an HA group. */
  addGroup(
    name: string,
    opts: { instances: readonly string[]; notifyHaGroup?: string },
  ): VrrpGroup {
    if (this.#groups.has(name)) throw new Error(`Cannot create vrrp group ${name}: it exists`);
    const members = opts.instances.map((n) => {
      const i = this.#instances.get(n);
      if (!i) throw new Error(`Cannot add instance ${n} to vrrp group ${name}: no vrrp ${n}`);
      return i;
    });
    const g = new VrrpGroup(name, { clock: this.#clock, log: this.#log });
    try {
      for (const m of members) g.addMember(m);
    } catch (e) {
      g.close();
      throw e;
    }
    this.#groups.set(name, g);
    if (opts.notifyHaGroup !== undefined) {
      try {
        this.#attach(`group ${name}`, opts.notifyHaGroup, g);
      } catch (e) {
        this.removeGroup(name);
        throw e;
      }
    }
    return g;
  }

  removeGroup(name: string): void {
    const g = this.#groups.get(name);
    if (!g) throw new Error(`Cannot remove vrrp group ${name}: no such group`);
    this.#detach(`group ${name}`);
    g.close();
    this.#groups.delete(name);
  }

  /** Starts every instance not started yet. */
  startAll(): void {
    for (const i of this.#instances.values()) if (!i.started) i.start();
  }

  /** Stops every instance (masters send priority 0). */
  stopAll(): void {
    for (const i of this.#instances.values()) i.stop();
  }

  /** The data of `show vrrp`. */
  show(): VrrpShow {
    const haGroups = new Map<string, string>();
    for (const [k, n] of this.#notify) {
      if (k.startsWith("group ")) haGroups.set(k.slice(6), n.haGroup);
    }
    return showVrrp({
      clock: this.#clock,
      instances: this.instances,
      groups: this.groups,
      receivers: this.receivers,
      haGroups,
    });
  }

  #attach(key: string, haGroup: string, controller: HaController): void {
    this.#ha.attach(haGroup, controller);
    this.#notify.set(key, { haGroup, controller });
  }

  #detach(key: string): void {
    const n = this.#notify.get(key);
    if (!n) return;
    this.#ha.detach(n.haGroup, n.controller);
    this.#notify.delete(key);
  }
}
