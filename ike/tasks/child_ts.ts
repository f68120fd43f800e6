/**
 * Which traffic selectors a CHILD configuration stands for on this IKE SA
 * (RFC 7296 §2.9): a `local-ts`/`remote-ts` without subnet is "dynamic",
 * the endpoint's own address, or its virtual IP. An initiator asking for a
 * virtual IP proposes everything as TSi and lets the responder narrow it
 * to the address it assigns (§2.19). In transport mode behind a NAT the
 * peer's selectors name its inner address, which the responder accepts as
 * proposed (§2.23).
 *
 * @module
 */
import type { ChildConfig } from "../config.ts";
import type { IkeSa } from "../ike_sa.ts";
import { compareIp } from "../../core/ip.ts";
import { type TrafficSelector, tsAny, tsFromConfig } from "../ts.ts";

/** TSi (ours) and TSr (the peer's) an initiator proposes. */
export function initiatorSelectors(
  sa: IkeSa,
  cfg: ChildConfig,
): { tsi: TrafficSelector[]; tsr: TrafficSelector[] } {
  const vip = sa.localVips[0];
  const wantVip = sa.vpn?.requestVip === true && vip === undefined;
  const tsi = cfg.localTs.map((c) =>
    c.prefix || !wantVip
      ? tsFromConfig(c, vip ?? sa.local.address)
      : { ...tsAny(sa.local.address.family), protocol: c.protocol }
  );
  const tsr = cfg.remoteTs.map((c) => tsFromConfig(c, sa.remote.address));
  return { tsi, tsr };
}

/** Our configured selectors as a responder: `remote` narrows the peer's TSi, `local` its TSr. */
export function responderSelectors(
  sa: IkeSa,
  cfg: ChildConfig,
  proposedTsi: readonly TrafficSelector[],
  wantsTransport: boolean,
): { remote: TrafficSelector[]; local: TrafficSelector[] } {
  const local = cfg.localTs.map((c) => tsFromConfig(c, sa.local.address));
  const vip = sa.remoteVips[0]?.address;
  const nattedTransport = wantsTransport && cfg.mode === "transport" && sa.nat.remote;
  const remote = cfg.remoteTs.flatMap((c) => {
    if (c.prefix || vip) return [tsFromConfig(c, vip ?? sa.remote.address)];
    if (!nattedTransport) return [tsFromConfig(c, sa.remote.address)];
    return proposedTsi
      .filter((t) => compareIp(t.start, t.end) === 0)
      .map((t) => tsFromConfig(c, t.start));
  });
  return { remote, local };
}
