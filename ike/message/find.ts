/**
 * Looking payloads up in a decoded message (anything with `payloads`).
 *
 * @module
 */
import { FIRST_STATUS_NOTIFY } from "../constants.ts";
import type { NotifyPayload, Payload, PayloadKind } from "./types.ts";

type WithPayloads = { readonly payloads: readonly Payload[] };
type OfKind<K extends PayloadKind> = Extract<Payload, { kind: K }>;

/** The first payload of `kind`. */
export function findPayload<K extends PayloadKind>(
  msg: WithPayloads,
  kind: K,
): OfKind<K> | undefined {
  return msg.payloads.find((p): p is OfKind<K> => p.kind === kind);
}

/** Every payload of `kind`, in message order. */
export function findPayloads<K extends PayloadKind>(msg: WithPayloads, kind: K): OfKind<K>[] {
  return msg.payloads.filter((p): p is OfKind<K> => p.kind === kind);
}

/** The first notification of `type`. */
export function findNotify(msg: WithPayloads, type: number): NotifyPayload | undefined {
  return msg.payloads.find((p): p is NotifyPayload => p.kind === "notify" && p.type === type);
}

/** Every notification of `type`, in message order. */
export function findNotifies(msg: WithPayloads, type: number): NotifyPayload[] {
  return msg.payloads.filter((p): p is NotifyPayload => p.kind === "notify" && p.type === type);
}

/** Whether a notification of `type` is present. */
export function hasNotify(msg: WithPayloads, type: number): boolean {
  return findNotify(msg, type) !== undefined;
}

/** The first error notification (type below 16384), if any. */
export function findErrorNotify(msg: WithPayloads): NotifyPayload | undefined {
  return msg.payloads.find((p): p is NotifyPayload =>
    p.kind === "notify" && p.type < FIRST_STATUS_NOTIFY
  );
}
