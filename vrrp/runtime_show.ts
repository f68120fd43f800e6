/**
 * `show vrrp` of a running VRF: the state machines' view (`show.ts`) plus
 * what only the kernel binding knows — each instance's virtual link
 * (macvlan, its ifindex, up or down) and the I/O counters of its port.
 * JSON-able data (`show vrrp --json`) and text.
 *
 * @module
 */
import type { KernelPortStatus } from "./kernel_port.ts";
import { renderVrrp, type VrrpShow } from "./show.ts";

/** One instance's virtual link and port counters. */
export interface VrrpVirtualLinkShow extends KernelPortStatus {
  readonly instance: string;
}

/** Everything `show vrrp` reports for a VRF. */
export interface VrrpRuntimeShow extends VrrpShow {
  readonly vrf: string;
  readonly virtualLinks: readonly VrrpVirtualLinkShow[];
}

/** Assembles the data. */
export function vrrpRuntimeShow(
  vrf: string,
  vrrp: VrrpShow,
  links: readonly VrrpVirtualLinkShow[],
): VrrpRuntimeShow {
  return { vrf, ...vrrp, virtualLinks: links };
}

/** The text of `show vrrp` for a VRF. */
export function renderVrrpRuntime(data: VrrpRuntimeShow): string {
  const out = [`vrf ${data.vrf}`, renderVrrp(data).trimEnd()];
  for (const l of data.virtualLinks) {
    const c = l.counters;
    out.push(
      `virtual link ${l.virtualLink} (vrrp ${l.instance}): ${l.state}` +
        (l.ifindex === null ? "" : `, ifindex ${l.ifindex}`) + `, MAC ${l.virtualMac}; ` +
        `adverts ${c.advertsSent} (errors ${c.advertErrors}), GARP/NA frames ${c.framesSent} ` +
        `(errors ${c.frameErrors}), link errors ${c.linkErrors}` +
        (c.lastError ? `; last error: ${c.lastError}` : ""),
    );
  }
  return out.join("\n") + "\n";
}
