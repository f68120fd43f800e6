/**
 * Physical ports as the configuration names them (`port pci-b0s3` in the
 * reference manual's `interface physical` context), resolved to the
 * kernel link that currently drives them, so the daemon can adopt it
 * (rename it to the configured name, move it into its VRF).
 *
 * A port is either a kernel link name (`eth1`) or a PCI location
 * `pci-[d<domain>]b<bus>s<slot>[f<function>]`, numbers in decimal as in
 * systemd's predictable names (`enp0s3` = `pci-b0s3`); a missing function
 * means function 0.
 *
 * @module
 */
import { pciAddressOfLink, sysfsHasLink, sysfsLinkNames } from "./sysfs.ts";

/** A parsed port. */
export type Port =
  | {
    readonly kind: "pci";
    readonly domain: number;
    readonly bus: number;
    readonly slot: number;
    readonly fn: number;
  }
  | { readonly kind: "name"; readonly name: string };

const PCI_PORT = /^pci-(?:d(\d+))?b(\d+)s(\d+)(?:f(\d+))?$/;

/** Parses a port; throws `Cannot parse port "…": …`. */
export function parsePort(text: string): Port {
  const m = PCI_PORT.exec(text);
  if (m) {
    const [domain, bus, slot, fn] = [m[1] ?? "0", m[2]!, m[3]!, m[4] ?? "0"].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    if (domain > 0xffff || bus > 255 || slot > 31 || fn > 7) {
      throw new Error(`Cannot parse port "${text}": bus 0-255, slot 0-31, function 0-7`);
    }
    return { kind: "pci", domain, bus, slot, fn };
  }
  if (text.startsWith("pci-")) {
    throw new Error(`Cannot parse port "${text}": expected pci-b<bus>s<slot>[f<function>]`);
  }
  if (!/^[^\s/:]{1,15}$/.test(text)) {
    throw new Error(`Cannot parse port "${text}": not a PCI location nor a link name`);
  }
  return { kind: "name", name: text };
}

/** `0000:00:03.0` for a PCI port. */
export function pciAddress(p: Port & { kind: "pci" }): string {
  const h = (n: number, w: number) => n.toString(16).padStart(w, "0");
  return `${h(p.domain, 4)}:${h(p.bus, 2)}:${h(p.slot, 2)}.${p.fn}`;
}

/** The port name of a PCI address: `0000:00:03.0` → `pci-b0s3`. */
export function portOfPciAddress(addr: string): string | undefined {
  const m = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/.exec(addr);
  if (!m) return undefined;
  const [d, b, s, f] = m.slice(1).map((x) => parseInt(x, 16)) as [number, number, number, number];
  return `pci-${d ? `d${d}` : ""}b${b}s${s}${f ? `f${f}` : ""}`;
}

/**
 * The link currently driving `port` in the daemon's home namespace
 * (sysfs), or undefined: what `ls -l /sys/class/net/*\/device` tells.
 */
export function findPortLink(port: string | Port): string | undefined {
  const p = typeof port === "string" ? parsePort(port) : port;
  if (p.kind === "name") return sysfsHasLink(p.name) ? p.name : undefined;
  const want = pciAddress(p);
  return sysfsLinkNames().find((n) => pciAddressOfLink(n) === want);
}

/** Every link of the home namespace with its port name where it has a PCI device. */
export function listPorts(): { link: string; port?: string }[] {
  return sysfsLinkNames().map((link) => {
    const addr = pciAddressOfLink(link);
    const port = addr ? portOfPciAddress(addr) : undefined;
    return port ? { link, port } : { link };
  });
}
