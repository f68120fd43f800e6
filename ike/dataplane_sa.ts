/**
 * The dataplane's view of a negotiated CHILD SA pair (`ports.ts`
 * {@linkcode DataplaneSa}): keys are copies, so wiping the SA's own keys
 * never reaches into the dataplane's.
 *
 * @module
 */
import type { ChildSa } from "./child_sa.ts";
import type { IkeSa } from "./ike_sa.ts";
import type { DataplaneSa } from "./ports.ts";

/** The install request for CHILD SA `c` of IKE SA `sa`. */
export function dataplaneSa(sa: IkeSa, c: ChildSa, outboundNow: boolean): DataplaneSa {
  const vpn = sa.vpn!;
  const k = c.keys!;
  const p = c.proposal!;
  return {
    id: c.id,
    policy: `${vpn.name}/${c.config.name}`,
    outboundNow,
    vrf: vpn.vrf,
    mode: c.mode,
    local: sa.local,
    remote: sa.remote,
    encap: c.encap,
    inbound: {
      spi: c.spiIn,
      enc: p.enc,
      encKey: k.encIn.slice(),
      ...(p.integ ? { integ: p.integ, integKey: k.integIn!.slice() } : {}),
    },
    outbound: {
      spi: c.spiOut,
      enc: p.enc,
      encKey: k.encOut.slice(),
      ...(p.integ ? { integ: p.integ, integKey: k.integOut!.slice() } : {}),
    },
    esn: p.esn === true,
    replayWindow: c.config.replayWindow,
    localTs: c.localTs,
    remoteTs: c.remoteTs,
    ...(c.config.svtiIdIn !== undefined ? { svtiIdIn: c.config.svtiIdIn } : {}),
    ...(c.config.svtiIdOut !== undefined ? { svtiIdOut: c.config.svtiIdOut } : {}),
    ...(c.config.rekeyBytes !== undefined || c.config.rekeyPackets !== undefined
      ? {
        limits: {
          ...(c.config.rekeyBytes !== undefined ? { softBytes: c.config.rekeyBytes } : {}),
          ...(c.config.rekeyPackets !== undefined ? { softPackets: c.config.rekeyPackets } : {}),
        },
      }
      : {}),
  };
}
