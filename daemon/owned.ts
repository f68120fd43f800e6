/**
 * What Tandem put into the kernel: the namespaces it created, the links it
 * adopted (with the name, MTU and state to give back) or created, the
 * addresses and static routes it added, and the sysctls it changed in the
 * main VRF (with their values before). Appliers reconcile against the
 * kernel and this record, so they never remove what they did not add, and
 * a daemon restarted after a crash cleans up what the configuration no
 * longer has.
 *
 * Kept in `owned.json` in the state directory, replaced atomically on
 * every change. Additions are recorded before the kernel is changed and
 * removals after, so the record always covers the kernel: after a crash
 * it may name something that is not there (removing it is then a no-op),
 * never miss something that is.
 *
 * @module
 */
import { writeFileAtomic } from "../config/atomic_write.ts";

/** A link adopted for `vrf <vrf> interface physical <name>`. */
export interface OwnedPhysical {
  readonly kind: "physical";
  readonly vrf: string;
  readonly name: string;
  readonly port: string;
  /** Name, MTU, administrative state and addresses in the main VRF before adoption. */
  readonly origName: string;
  readonly origMtu: number;
  readonly origUp: boolean;
  readonly origAddrs?: readonly string[];
  /** Find the link again whatever it is called (after a crash half-way). */
  readonly mac?: string;
  readonly linkKind?: string;
}

/** A link created for `vrf <vrf> interface loopback <name>`. */
export interface OwnedLoopback {
  readonly kind: "loopback";
  readonly vrf: string;
  readonly name: string;
}

export type OwnedLink = OwnedPhysical | OwnedLoopback;

/** A static route (one next hop) added with protocol static. */
export interface OwnedRoute {
  readonly dst: string;
  readonly gateway: string;
}

/** A sysctl changed in the main VRF, and its value before. */
export interface OwnedSysctl {
  readonly key: string;
  readonly original: string;
}

interface OwnedData {
  version: 1;
  vrfs: string[];
  links: OwnedLink[];
  /** `<vrf>/<link>` → addresses (`10.0.0.1/24`). */
  addresses: Record<string, string[]>;
  /** vrf → routes. */
  routes: Record<string, OwnedRoute[]>;
  /** vrf → sysctls. */
  sysctls: Record<string, OwnedSysctl[]>;
}

function empty(): OwnedData {
  return { version: 1, vrfs: [], links: [], addresses: {}, routes: {}, sysctls: {} };
}

const linkKey = (vrf: string, link: string) => `${vrf}/${link}`;

/** The record; see the module doc. Without a path it lives in memory (tests). */
export class Owned {
  #data: OwnedData;

  private constructor(readonly path: string | undefined, data: OwnedData) {
    this.#data = data;
  }

  /** Loads `path` (an absent file is an empty record); throws on a damaged file. */
  static load(path?: string): Owned {
    if (path === undefined) return new Owned(undefined, empty());
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return new Owned(path, empty());
      throw e;
    }
    let data: OwnedData;
    try {
      data = { ...empty(), ...JSON.parse(text) as Partial<OwnedData> };
    } catch (e) {
      throw new Error(`Cannot read "${path}": ${e instanceof Error ? e.message : String(e)}`);
    }
    if (data.version !== 1) throw new Error(`Cannot read "${path}": unknown version`);
    return new Owned(path, data);
  }

  #save(): void {
    if (this.path !== undefined) {
      writeFileAtomic(this.path, JSON.stringify(this.#data, null, 1) + "\n");
    }
  }

  /** The whole record (a copy), for `show` and tests. */
  snapshot(): OwnedData {
    return structuredClone(this.#data);
  }

  vrfs(): readonly string[] {
    return this.#data.vrfs;
  }

  ownsVrf(vrf: string): boolean {
    return this.#data.vrfs.includes(vrf);
  }

  addVrf(vrf: string): void {
    if (this.ownsVrf(vrf)) return;
    this.#data.vrfs.push(vrf);
    this.#save();
  }

  /** Forgets a VRF and everything recorded in it (its namespace is gone). */
  dropVrf(vrf: string): void {
    const d = this.#data;
    d.vrfs = d.vrfs.filter((v) => v !== vrf);
    d.links = d.links.filter((l) => l.vrf !== vrf);
    for (const k of Object.keys(d.addresses)) {
      if (k.startsWith(`${vrf}/`)) delete d.addresses[k];
    }
    delete d.routes[vrf];
    delete d.sysctls[vrf];
    this.#save();
  }

  links(): readonly OwnedLink[] {
    return this.#data.links;
  }

  link(vrf: string, name: string): OwnedLink | undefined {
    return this.#data.links.find((l) => l.vrf === vrf && l.name === name);
  }

  putLink(link: OwnedLink): void {
    const d = this.#data;
    d.links = [...d.links.filter((l) => !(l.vrf === link.vrf && l.name === link.name)), link];
    this.#save();
  }

  /** Forgets a link and its addresses. */
  dropLink(vrf: string, name: string): void {
    const d = this.#data;
    d.links = d.links.filter((l) => !(l.vrf === vrf && l.name === name));
    delete d.addresses[linkKey(vrf, name)];
    this.#save();
  }

  addresses(vrf: string, link: string): readonly string[] {
    return this.#data.addresses[linkKey(vrf, link)] ?? [];
  }

  /** Every link with recorded addresses: `[vrf, link]`. */
  addressLinks(): [string, string][] {
    return Object.keys(this.#data.addresses).map((k) => {
      const i = k.indexOf("/");
      return [k.slice(0, i), k.slice(i + 1)];
    });
  }

  setAddresses(vrf: string, link: string, addresses: readonly string[]): void {
    const k = linkKey(vrf, link);
    if (addresses.length === 0) delete this.#data.addresses[k];
    else this.#data.addresses[k] = [...addresses];
    this.#save();
  }

  routes(vrf: string): readonly OwnedRoute[] {
    return this.#data.routes[vrf] ?? [];
  }

  /** VRFs with recorded routes. */
  routeVrfs(): string[] {
    return Object.keys(this.#data.routes);
  }

  setRoutes(vrf: string, routes: readonly OwnedRoute[]): void {
    if (routes.length === 0) delete this.#data.routes[vrf];
    else this.#data.routes[vrf] = [...routes];
    this.#save();
  }

  sysctls(vrf: string): readonly OwnedSysctl[] {
    return this.#data.sysctls[vrf] ?? [];
  }

  /** VRFs with recorded sysctls. */
  sysctlVrfs(): string[] {
    return Object.keys(this.#data.sysctls);
  }

  /** Records a sysctl's value before Tandem first changes it (later calls keep the first). */
  noteSysctl(vrf: string, key: string, original: string): void {
    const list = this.#data.sysctls[vrf] ?? [];
    if (list.some((s) => s.key === key)) return;
    this.#data.sysctls[vrf] = [...list, { key, original }];
    this.#save();
  }

  dropSysctls(vrf: string): void {
    delete this.#data.sysctls[vrf];
    this.#save();
  }
}
