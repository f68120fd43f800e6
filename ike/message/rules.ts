/**
 * Which payloads each exchange may carry, as data (RFC 7296 §1.2–§1.5,
 * §2.6, §2.16, §3.3.1; RFC 4739, RFC 5998, RFC 6023, RFC 9242, RFC 9370;
 * the same ground strongSwan's `message.c` rules cover). Each exchange and
 * direction lists the message *shapes* it may take; a message is valid when
 * it fits one of them. The engine calls {@linkcode checkPayloadRules} on the
 * decrypted payloads; a violation names the payload at fault and asks for
 * INVALID_SYNTAX (RFC 7296 §3.10.1).
 *
 * @module
 */
import { ExchangeType as X, MAX_PAYLOADS, NotifyType, ProtocolId } from "../constants.ts";
import { invalidSyntax } from "./bytes.ts";
import { exchangeName, payloadShortName } from "./names.ts";
import { KIND_TYPES } from "./chain.ts";
import type { ErrorNotify, Payload, PayloadKind, Proposal } from "./types.ts";

/** `[min, max]` occurrences. */
export type Count = readonly [number, number];

/** One form a message may take. */
export interface MessageShape {
  /** Names the form for the engine: "ike-rekey", "child-rekey", "notify-only"… */
  readonly name: string;
  /** Occurrences of each payload kind; kinds not listed may not appear (unknown ones always may). */
  readonly payloads: Readonly<Partial<Record<PayloadKind, Count>>>;
  /** Occurrences of particular notification types (e.g. REKEY_SA required, or excluded with `[0, 0]`). */
  readonly notifies?: Readonly<Record<number, Count>>;
  /** Kinds that come all together or not at all (SA, TSi, TSr of a CHILD SA). */
  readonly together?: readonly (readonly PayloadKind[])[];
  /** A notification type that must be the first payload when present (RFC 7296 §2.6: COOKIE). */
  readonly firstIfPresent?: number;
  /** Protocols and SPI sizes the SA payload's proposals may use. */
  readonly sa?: { readonly protocols: readonly number[]; readonly spiSizes: readonly number[] };
}

export interface ExchangeRules {
  readonly exchange: number;
  readonly response: boolean;
  readonly shapes: readonly MessageShape[];
}

const MANY = MAX_PAYLOADS;
const ONE: Count = [1, 1];
const OPT: Count = [0, 1];
const ANY: Count = [0, MANY];
/** strongSwan's per-message limit of CERT payloads. */
const CERTS: Count = [0, 8];

const IKE_SA = { protocols: [ProtocolId.IKE], spiSizes: [0] };
const IKE_REKEY_SA = { protocols: [ProtocolId.IKE], spiSizes: [8] };
const CHILD_SA = { protocols: [ProtocolId.ESP, ProtocolId.AH], spiSizes: [4] };
const CHILD_GROUP: readonly (readonly PayloadKind[])[] = [["sa", "tsi", "tsr"]];
const NO_REKEY = { [NotifyType.REKEY_SA]: [0, 0] as Count };

const NOTIFY_ONLY: MessageShape = {
  name: "notify-only",
  payloads: { notify: [1, MANY], vendor: ANY },
};

/** The rules table. */
export const EXCHANGE_RULES: readonly ExchangeRules[] = [
  {
    exchange: X.IKE_SA_INIT,
    response: false,
    shapes: [{
      name: "ike-sa-init",
      payloads: { sa: ONE, ke: ONE, nonce: ONE, notify: ANY, vendor: ANY },
      firstIfPresent: NotifyType.COOKIE,
      sa: IKE_SA,
    }],
  },
  {
    exchange: X.IKE_SA_INIT,
    response: true,
    shapes: [
      {
        name: "ike-sa-init",
        payloads: { sa: ONE, ke: ONE, nonce: ONE, certreq: ANY, notify: ANY, vendor: ANY },
        sa: IKE_SA,
      },
      NOTIFY_ONLY, // COOKIE, INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, REDIRECT…
    ],
  },
  {
    exchange: X.IKE_AUTH,
    response: false,
    shapes: [
      {
        // AUTH absent: EAP follows (RFC 7296 §2.16); SA/TS absent: childless (RFC 6023).
        name: "auth",
        payloads: {
          idi: ONE,
          cert: CERTS,
          certreq: ANY,
          idr: OPT,
          auth: OPT,
          cp: OPT,
          sa: OPT,
          tsi: OPT,
          tsr: OPT,
          notify: ANY,
          vendor: ANY,
        },
        together: CHILD_GROUP,
        sa: CHILD_SA,
      },
      { name: "eap", payloads: { eap: ONE, notify: ANY, vendor: ANY } },
      { name: "auth-only", payloads: { auth: ONE, notify: ANY, vendor: ANY } },
    ],
  },
  {
    exchange: X.IKE_AUTH,
    response: true,
    shapes: [
      {
        name: "auth",
        payloads: {
          idr: ONE,
          cert: CERTS,
          auth: ONE,
          cp: OPT,
          sa: OPT,
          tsi: OPT,
          tsr: OPT,
          notify: ANY,
          vendor: ANY,
        },
        together: CHILD_GROUP,
        sa: CHILD_SA,
      },
      {
        name: "eap-start",
        payloads: { idr: ONE, cert: CERTS, auth: OPT, eap: ONE, notify: ANY, vendor: ANY },
      },
      { name: "eap", payloads: { eap: ONE, notify: ANY, vendor: ANY } },
      {
        name: "auth-final",
        payloads: { auth: ONE, cp: OPT, sa: OPT, tsi: OPT, tsr: OPT, notify: ANY, vendor: ANY },
        together: CHILD_GROUP,
        sa: CHILD_SA,
      },
      NOTIFY_ONLY, // AUTHENTICATION_FAILED…
    ],
  },
  {
    exchange: X.CREATE_CHILD_SA,
    response: false,
    shapes: [
      {
        name: "ike-rekey",
        payloads: { sa: ONE, nonce: ONE, ke: ONE, notify: ANY, vendor: ANY },
        notifies: NO_REKEY,
        sa: IKE_REKEY_SA,
      },
      {
        name: "child-rekey",
        payloads: { sa: ONE, nonce: ONE, ke: OPT, tsi: ONE, tsr: ONE, notify: ANY, vendor: ANY },
        notifies: { [NotifyType.REKEY_SA]: ONE },
        sa: CHILD_SA,
      },
      {
        name: "child-new",
        payloads: {
          sa: ONE,
          nonce: ONE,
          ke: OPT,
          tsi: ONE,
          tsr: ONE,
          cp: OPT,
          notify: ANY,
          vendor: ANY,
        },
        notifies: NO_REKEY,
        sa: CHILD_SA,
      },
    ],
  },
  {
    exchange: X.CREATE_CHILD_SA,
    response: true,
    shapes: [
      {
        name: "ike-rekey",
        payloads: { sa: ONE, nonce: ONE, ke: ONE, notify: ANY, vendor: ANY },
        sa: IKE_REKEY_SA,
      },
      {
        name: "child",
        payloads: {
          sa: ONE,
          nonce: ONE,
          ke: OPT,
          tsi: ONE,
          tsr: ONE,
          cp: OPT,
          notify: ANY,
          vendor: ANY,
        },
        sa: CHILD_SA,
      },
      NOTIFY_ONLY, // NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, TEMPORARY_FAILURE…
    ],
  },
  ...[false, true].map((response) => ({
    exchange: X.INFORMATIONAL,
    response,
    shapes: [{
      name: "informational",
      payloads: { notify: ANY, delete: ANY, cp: OPT, vendor: ANY },
    }],
  })),
  ...[false, true].map((response) => ({
    exchange: X.IKE_INTERMEDIATE,
    response,
    shapes: [{ name: "intermediate", payloads: { ke: OPT, notify: ANY, vendor: ANY } }],
  })),
  {
    exchange: X.IKE_FOLLOWUP_KE,
    response: false,
    shapes: [{ name: "followup-ke", payloads: { ke: ONE, notify: ANY, vendor: ANY } }],
  },
  {
    exchange: X.IKE_FOLLOWUP_KE,
    response: true,
    shapes: [{ name: "followup-ke", payloads: { ke: ONE, notify: ANY, vendor: ANY } }, NOTIFY_ONLY],
  },
];

/** Why a message fits none of its exchange's shapes. */
export interface RuleViolation {
  reason: string;
  /** INVALID_SYNTAX; absent for an exchange type without rules (the engine ignores those). */
  notify?: ErrorNotify;
  /** The shape the message came closest to. */
  shape?: string;
  /** Index of the offending payload in the list checked, when one is at fault. */
  index?: number;
  payload?: Payload;
}

export type RulesResult = { ok: true; shape: string } | { ok: false; error: RuleViolation };

function label(p: Payload): string {
  return p.kind === "unknown" ? String(p.type) : payloadShortName(KIND_TYPES[p.kind]);
}

function kindLabel(kind: PayloadKind): string {
  return kind === "unknown" ? "unknown" : payloadShortName(KIND_TYPES[kind]);
}

/** The problems of `payloads` against one shape, first problem first. */
function violations(
  shape: MessageShape,
  payloads: readonly Payload[],
  response: boolean,
): RuleViolation[] {
  const out: RuleViolation[] = [];
  const add = (reason: string, index?: number) => {
    const v: RuleViolation = { reason, notify: invalidSyntax(), shape: shape.name };
    if (index !== undefined) {
      v.index = index;
      v.payload = payloads[index]!;
    }
    out.push(v);
  };
  const seen = new Map<PayloadKind, number>();
  const notifies = new Map<number, number>();
  payloads.forEach((p, i) => {
    const n = (seen.get(p.kind) ?? 0) + 1;
    seen.set(p.kind, n);
    if (p.kind === "unknown") return;
    const allowed = shape.payloads[p.kind];
    if (!allowed) add(`${label(p)} not allowed`, i);
    else if (n > allowed[1]) add(`more than ${allowed[1]} ${label(p)}`, i);
    if (p.kind === "notify") {
      const c = (notifies.get(p.type) ?? 0) + 1;
      notifies.set(p.type, c);
      const range = shape.notifies?.[p.type];
      if (range && c > range[1]) add(`notify ${p.type} not allowed here`, i);
      if (p.type === shape.firstIfPresent && i !== 0) add(`notify ${p.type} must come first`, i);
    }
    if (p.kind === "sa" && shape.sa) checkSa(p.proposals, shape.sa, response, (r) => add(r, i));
    if ((p.kind === "tsi" || p.kind === "tsr") && p.selectors.length === 0) {
      add(`${label(p)} without selectors`, i);
    }
  });
  for (const [kind, range] of Object.entries(shape.payloads) as [PayloadKind, Count][]) {
    if ((seen.get(kind) ?? 0) < range[0]) add(`missing ${kindLabel(kind)}`);
  }
  for (const [type, range] of Object.entries(shape.notifies ?? {})) {
    if ((notifies.get(Number(type)) ?? 0) < range[0]) add(`missing notify ${type}`);
  }
  for (const group of shape.together ?? []) {
    const present = group.filter((k) => seen.has(k));
    if (present.length > 0 && present.length < group.length) {
      add(
        `${present.map(kindLabel).join(" ")} without ${
          group.filter((k) => !seen.has(k)).map(kindLabel).join(" ")
        }`,
      );
    }
  }
  return out;
}

/** RFC 7296 §3.3.1 and §2.7: proposal numbering and the single accepted proposal. */
function checkSa(
  proposals: readonly Proposal[],
  rule: NonNullable<MessageShape["sa"]>,
  response: boolean,
  add: (reason: string) => void,
): void {
  for (const p of proposals) {
    if (!rule.protocols.includes(p.protocol)) {
      add(`proposal ${p.number} for protocol ${p.protocol}`);
    } else if (!rule.spiSizes.includes(p.spi.length)) {
      add(`proposal ${p.number} with a ${p.spi.length}-byte SPI`);
    }
  }
  if (response) {
    if (proposals.length !== 1) add(`response SA with ${proposals.length} proposals`);
    const types = proposals[0]?.transforms.map((t) => t.type) ?? [];
    if (new Set(types).size !== types.length) {
      add("accepted proposal with two transforms of one type");
    }
  } else if (proposals[0] && proposals[0].number !== 1) {
    add(`first proposal number ${proposals[0].number}, expected 1`);
  }
}

/** The rules of an exchange and direction, if we have any. */
export function rulesFor(exchange: number, response: boolean): ExchangeRules | undefined {
  return EXCHANGE_RULES.find((r) => r.exchange === exchange && r.response === response);
}

/**
 * Checks a message's payloads (inner ones for protected messages) against
 * its exchange's shapes. Returns the name of the first shape that fits, or
 * the first violation of the shape the message came closest to.
 */
export function checkPayloadRules(
  exchange: number,
  response: boolean,
  payloads: readonly Payload[],
): RulesResult {
  const rules = rulesFor(exchange, response);
  if (!rules) {
    return { ok: false, error: { reason: `no rules for exchange ${exchangeName(exchange)}` } };
  }
  let best: RuleViolation[] | undefined;
  for (const shape of rules.shapes) {
    const v = violations(shape, payloads, response);
    if (v.length === 0) return { ok: true, shape: shape.name };
    if (!best || v.length < best.length) best = v;
  }
  const first = best![0]!;
  const dir = response ? "response" : "request";
  return {
    ok: false,
    error: { ...first, reason: `${exchangeName(exchange)} ${dir}: ${first.reason}` },
  };
}
