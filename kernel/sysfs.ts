/**
 * Links as sysfs shows them (/sys/class/net, read through FFI): the PCI
 * device behind a NIC and the interface counters.
 *
 * sysfs shows the links of the namespace it was mounted in (the daemon's
 * home namespace), whichever namespace the calling thread is in: links
 * already moved into another VRF are not here. For those, use rtnetlink
 * (`Link.stats`, `Link.parentDevice`), which works in every namespace.
 *
 * @module
 */
import { listDir, pathExists, readTextFile, realPath } from "./files.ts";
import type { LinkStats } from "./netlink/link_info.ts";

const NET = "/sys/class/net";
const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

/** Link names in sysfs: `ls /sys/class/net`. */
export function sysfsLinkNames(): string[] {
  return listDir(NET).sort();
}

/** Whether sysfs has link `name`. */
export function sysfsHasLink(name: string): boolean {
  return !name.includes("/") && pathExists(`${NET}/${name}`);
}

/**
 * The PCI address (`0000:00:03.0`) of the device behind link `name`: the
 * nearest PCI function on the device's sysfs path (a virtio NIC sits one
 * level below its PCI function). Undefined for virtual links.
 */
export function pciAddressOfLink(name: string): string | undefined {
  if (!sysfsHasLink(name) || !pathExists(`${NET}/${name}/device`)) return undefined;
  const parts = realPath(`${NET}/${name}/device`).split("/");
  for (let i = parts.length - 1; i >= 0; i--) {
    if (PCI_ADDRESS.test(parts[i]!)) return parts[i];
  }
  return undefined;
}

/** Interface counters from /sys/class/net/<name>/statistics: `ip -s link show <name>`. */
export function sysfsLinkStats(name: string): LinkStats {
  const dir = `${NET}/${name}/statistics`;
  const read = (c: string) => Number(readTextFile(`${dir}/${c}`).trim());
  return {
    rxPackets: read("rx_packets"),
    txPackets: read("tx_packets"),
    rxBytes: read("rx_bytes"),
    txBytes: read("tx_bytes"),
    rxErrors: read("rx_errors"),
    txErrors: read("tx_errors"),
    rxDropped: read("rx_dropped"),
    txDropped: read("tx_dropped"),
    multicast: read("multicast"),
  };
}
