/**
 * Parsers of swanctl's dump of VICI messages (`--pretty`) into typed
 * objects: IKE SAs with their CHILD SAs (`--list-sas`), daemon statistics
 * (`--stats`) and IKE message counters (`--counters`).
 *
 * `--pretty` and `--raw` dump the same VICI message; the pretty form puts
 * one element per line, which keeps values with blanks (identities such as
 * distinguished names) unambiguous, while the compact `--raw` form does not
 * delimit them. Grammar of the pretty form, one element per line:
 *
 * ```
 * <label> {            message start (label: "list-sa event", "stats reply")
 *   <name> {           section start (the name may be empty)
 *   <key> = <value>    key/value (non-printable values as 0x hex)
 *   <key> = [          list start, then one item per line, then "]"
 * }                    section or message end
 * ```
 *
 * @module
 */

/** A VICI value: text, a list of texts, or a section. */
export type ViciValue = string | string[] | ViciSection;

/** A VICI section: keys in message order. */
export interface ViciSection {
  [key: string]: ViciValue;
}

/** One dumped message. */
export interface ViciMessage {
  label: string;
  body: ViciSection;
}

/** Result of {@linkcode parseViciDump}; errors carry the 1-based line. */
export type ViciParse =
  | { ok: true; messages: ViciMessage[] }
  | { ok: false; line: number; error: string };

/** Parses every message in swanctl `--pretty` output. */
export function parseViciDump(text: string): ViciParse {
  const messages: ViciMessage[] = [];
  const stack: ViciSection[] = [];
  let list: string[] | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const fail = (error: string): ViciParse => ({ ok: false, line: i + 1, error });
    if (list) {
      if (line === "]") list = undefined;
      else list.push(line);
      continue;
    }
    const top = stack[stack.length - 1];
    if (!top) {
      if (line === "") continue;
      if (!line.endsWith("{")) return fail(`expected "<label> {", got "${line}"`);
      const body: ViciSection = {};
      messages.push({ label: line.slice(0, -1).trim(), body });
      stack.push(body);
      if (line.endsWith("{}")) return fail("unexpected empty compact message");
      continue;
    }
    if (line === "}") {
      stack.pop();
      continue;
    }
    const eq = line.indexOf(" = ");
    if (eq >= 0) {
      const key = line.slice(0, eq);
      const value = line.slice(eq + 3);
      if (value === "[") top[key] = list = [];
      else top[key] = value;
      continue;
    }
    if (line.endsWith(" =")) {
      top[line.slice(0, -2)] = "";
      continue;
    }
    if (line.endsWith("{")) {
      const section: ViciSection = {};
      top[line.slice(0, -1).trim()] = section;
      stack.push(section);
      continue;
    }
    return fail(`cannot parse "${line}"`);
  }
  if (stack.length || list) return { ok: false, line: lines.length, error: "unterminated section" };
  return { ok: true, messages };
}

function dump(text: string, what: string): ViciMessage[] {
  const r = parseViciDump(text);
  if (!r.ok) throw new Error(`Cannot parse swanctl ${what} output, line ${r.line}: ${r.error}`);
  return r.messages;
}

const str = (s: ViciSection, k: string): string | undefined =>
  typeof s[k] === "string" ? s[k] as string : undefined;
const int = (s: ViciSection, k: string): number | undefined => {
  const v = str(s, k);
  return v === undefined || v === "" ? undefined : Number(v);
};
const flag = (s: ViciSection, k: string): boolean => str(s, k) === "yes" || str(s, k) === "1";
const strs = (s: ViciSection, k: string): string[] => (Array.isArray(s[k]) ? s[k] as string[] : []);
const sect = (s: ViciSection, k: string): ViciSection => {
  const v = s[k];
  return v !== undefined && typeof v === "object" && !Array.isArray(v) ? v : {};
};

/** A CHILD SA as charon lists it. Times are seconds (from now, or ago for `installTime`/`use*`). */
export interface ChildSa {
  /** The section key, `<name>-<uniqueid>`. */
  key: string;
  name: string;
  uniqueId: number;
  reqid: number;
  /** `INSTALLED`, `REKEYING`, `REKEYED`, `DELETING`, `DELETED`, ... */
  state: string;
  /** `TUNNEL` or `TRANSPORT`. */
  mode: string;
  protocol: string;
  /** ESP in UDP (always with libipsec). */
  encap: boolean;
  /** Hex, as charon prints them. */
  spiIn: string;
  spiOut: string;
  encrAlg?: string;
  encrKeysize?: number;
  integAlg?: string;
  dhGroup?: string;
  esn: boolean;
  bytesIn: number;
  packetsIn: number;
  bytesOut: number;
  packetsOut: number;
  /** Seconds since the last packet, absent when none passed yet. */
  useIn?: number;
  useOut?: number;
  rekeyTime?: number;
  lifeTime?: number;
  installTime?: number;
  localTs: string[];
  remoteTs: string[];
}

/** An IKE SA as charon lists it. */
export interface IkeSa {
  name: string;
  uniqueId: number;
  version: number;
  /** `CONNECTING`, `ESTABLISHED`, `REKEYING`, `DELETING`, ... */
  state: string;
  localHost: string;
  localPort: number;
  localId: string;
  remoteHost: string;
  remotePort: number;
  remoteId: string;
  /** Whether this side initiated the IKE SA. */
  initiator: boolean;
  /** Hex, as charon prints them. */
  initiatorSpi: string;
  responderSpi: string;
  natLocal: boolean;
  natRemote: boolean;
  natFake: boolean;
  natAny: boolean;
  encrAlg?: string;
  encrKeysize?: number;
  integAlg?: string;
  prfAlg?: string;
  dhGroup?: string;
  /** Seconds since it was established. */
  established?: number;
  rekeyTime?: number;
  reauthTime?: number;
  localVips: string[];
  remoteVips: string[];
  childSas: ChildSa[];
}

function toChild(key: string, c: ViciSection): ChildSa {
  const child: ChildSa = {
    key,
    name: str(c, "name") ?? key,
    uniqueId: int(c, "uniqueid") ?? NaN,
    reqid: int(c, "reqid") ?? NaN,
    state: str(c, "state") ?? "",
    mode: str(c, "mode") ?? "",
    protocol: str(c, "protocol") ?? "",
    encap: flag(c, "encap"),
    spiIn: str(c, "spi-in") ?? "",
    spiOut: str(c, "spi-out") ?? "",
    esn: flag(c, "esn"),
    bytesIn: int(c, "bytes-in") ?? 0,
    packetsIn: int(c, "packets-in") ?? 0,
    bytesOut: int(c, "bytes-out") ?? 0,
    packetsOut: int(c, "packets-out") ?? 0,
    localTs: strs(c, "local-ts"),
    remoteTs: strs(c, "remote-ts"),
  };
  const opt = {
    encrAlg: str(c, "encr-alg"),
    encrKeysize: int(c, "encr-keysize"),
    integAlg: str(c, "integ-alg"),
    dhGroup: str(c, "dh-group"),
    useIn: int(c, "use-in"),
    useOut: int(c, "use-out"),
    rekeyTime: int(c, "rekey-time"),
    lifeTime: int(c, "life-time"),
    installTime: int(c, "install-time"),
  };
  return Object.assign(child, defined(opt));
}

function toIke(name: string, s: ViciSection): IkeSa {
  const children = sect(s, "child-sas");
  const ike: IkeSa = {
    name,
    uniqueId: int(s, "uniqueid") ?? NaN,
    version: int(s, "version") ?? NaN,
    state: str(s, "state") ?? "",
    localHost: str(s, "local-host") ?? "",
    localPort: int(s, "local-port") ?? NaN,
    localId: str(s, "local-id") ?? "",
    remoteHost: str(s, "remote-host") ?? "",
    remotePort: int(s, "remote-port") ?? NaN,
    remoteId: str(s, "remote-id") ?? "",
    initiator: flag(s, "initiator"),
    initiatorSpi: str(s, "initiator-spi") ?? "",
    responderSpi: str(s, "responder-spi") ?? "",
    natLocal: flag(s, "nat-local"),
    natRemote: flag(s, "nat-remote"),
    natFake: flag(s, "nat-fake"),
    natAny: flag(s, "nat-any"),
    localVips: strs(s, "local-vips"),
    remoteVips: strs(s, "remote-vips"),
    childSas: Object.entries(children).map(([k, v]) =>
      toChild(k, typeof v === "object" && !Array.isArray(v) ? v : {})
    ),
  };
  const opt = {
    encrAlg: str(s, "encr-alg"),
    encrKeysize: int(s, "encr-keysize"),
    integAlg: str(s, "integ-alg"),
    prfAlg: str(s, "prf-alg"),
    dhGroup: str(s, "dh-group"),
    established: int(s, "established"),
    rekeyTime: int(s, "rekey-time"),
    reauthTime: int(s, "reauth-time"),
  };
  return Object.assign(ike, defined(opt));
}

// exactOptionalPropertyTypes: leave absent fields out instead of setting undefined.
function defined<T extends Record<string, unknown>>(
  o: T,
): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<
    { [K in keyof T]: Exclude<T[K], undefined> }
  >;
}

/** Parses `swanctl --list-sas --pretty`: one IKE SA per `list-sa event`. */
export function parseIkeSas(text: string): IkeSa[] {
  const out: IkeSa[] = [];
  for (const m of dump(text, "--list-sas")) {
    if (m.label !== "list-sa event") continue;
    for (const [name, v] of Object.entries(m.body)) {
      if (typeof v === "object" && !Array.isArray(v)) out.push(toIke(name, v));
    }
  }
  return out;
}

/** What `swanctl --stats` reports. */
export interface CharonStats {
  /** e.g. "3 seconds". */
  running: string;
  since: string;
  workers: { total: number; idle: number; active: Record<string, number> };
  queues: Record<string, number>;
  scheduled: number;
  ikeSas: { total: number; halfOpen: number };
  plugins: string[];
}

const numbers = (s: ViciSection): Record<string, number> =>
  Object.fromEntries(
    Object.entries(s).filter(([, v]) => typeof v === "string").map(([k, v]) => [k, Number(v)]),
  );

/** Parses `swanctl --stats --pretty`. */
export function parseStats(text: string): CharonStats {
  const m = dump(text, "--stats").find((m) => m.label === "stats reply");
  if (!m) throw new Error("Cannot parse swanctl --stats output: no stats reply");
  const b = m.body;
  const workers = sect(b, "workers");
  return {
    running: str(sect(b, "uptime"), "running") ?? "",
    since: str(sect(b, "uptime"), "since") ?? "",
    workers: {
      total: int(workers, "total") ?? NaN,
      idle: int(workers, "idle") ?? NaN,
      active: numbers(sect(workers, "active")),
    },
    queues: numbers(sect(b, "queues")),
    scheduled: int(b, "scheduled") ?? NaN,
    ikeSas: {
      total: int(sect(b, "ikesas"), "total") ?? NaN,
      halfOpen: int(sect(b, "ikesas"), "half-open") ?? NaN,
    },
    plugins: strs(b, "plugins"),
  };
}

/**
 * Parses `swanctl --counters --pretty`: the counters of connection `name`
 * (default: the global ones, whose section name is empty).
 */
export function parseCounters(text: string, name = ""): Record<string, number> {
  const m = dump(text, "--counters").find((m) => m.label === "counters reply");
  if (!m) throw new Error("Cannot parse swanctl --counters output: no counters reply");
  if (str(m.body, "success") === "no") {
    throw new Error(`swanctl --counters failed: ${str(m.body, "errmsg") ?? "no reason given"}`);
  }
  return numbers(sect(sect(m.body, "counters"), name));
}
