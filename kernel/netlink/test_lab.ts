/**
 * Test fixture for the kernel tests: a {@linkcode NetnsLab} with the
 * `tk` prefix and its namespaces as {@linkcode Netns} handles.
 *
 * @module
 */
import { NetnsLab } from "../../tests/netns.ts";
import { Netns } from "../netns.ts";
import { applyRouterSysctls } from "../sysctl.ts";
import { IFA_F_TENTATIVE } from "./addr.ts";
import { Rtnl } from "./rtnl.ts";

/** Two namespaces joined by a veth, addressed, up, IPv6 DAD off. */
export interface VethPair {
  readonly h: NetlinkLabHelper;
  readonly a: Netns;
  readonly b: Netns;
  readonly linkA: string;
  readonly linkB: string;
  readonly ifA: number;
  readonly ifB: number;
}

/** A lab of fresh namespaces (`<tag>a`, `<tag>b`, …) and their handles. */
export class NetlinkLabHelper {
  private constructor(
    readonly lab: NetnsLab,
    readonly names: string[],
    readonly ns: Netns[],
  ) {}

  /** Creates one namespace per suffix, `lo` up. */
  static async create(...suffixes: string[]): Promise<NetlinkLabHelper> {
    const lab = new NetnsLab("tk");
    const names: string[] = [];
    try {
      for (const s of suffixes) names.push(await lab.netns(s));
    } catch (e) {
      await lab.dispose();
      throw e;
    }
    return new NetlinkLabHelper(lab, names, names.map((n) => Netns.named(n)));
  }

  /**
   * Namespaces `a` and `b` with veth `<tag>va`/`<tag>vb`, made through our
   * own netlink layer; `addrs` are `[a side, b side]` pairs such as
   * `["10.254.1.1/24", "10.254.1.2/24"]`. Returns once the IPv6
   * link-local and other IPv6 addresses are usable (not tentative).
   */
  static async pair(...addrs: [string, string][]): Promise<VethPair> {
    const h = await NetlinkLabHelper.create("a", "b");
    try {
      const [a, b] = h.ns as [Netns, Netns];
      for (const ns of [a, b]) applyRouterSysctls(ns, { acceptDad: 0 });
      const linkA = h.lab.link("va");
      const linkB = h.lab.link("vb");
      using na = Rtnl.open(a);
      using nb = Rtnl.open(b);
      await na.links.addVeth(linkA, linkB, { peerNs: b });
      for (const [x, y] of addrs) {
        await na.addrs.add(linkA, x, { noDad: true });
        await nb.addrs.add(linkB, y, { noDad: true });
      }
      await na.links.setUp(linkA);
      await nb.links.setUp(linkB);
      const ifA = (await na.links.get(linkA)).index;
      const ifB = (await nb.links.get(linkB)).index;
      // Even without DAD, a new IPv6 address is tentative until the kernel's addrconf work ran.
      for (const [nl, link] of [[na, linkA], [nb, linkB]] as const) {
        // Operstate UP: linkwatch has also activated the qdisc (before, packets are dropped).
        for (let i = 0; i < 100 && (await nl.links.get(link)).operState !== "UP"; i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
        for (let i = 0; i < 100; i++) {
          const v6 = await nl.addrs.list({ family: 6, link });
          if (v6.some((x) => x.scope === 253) && v6.every((x) => !(x.flags & IFA_F_TENTATIVE))) {
            break;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      return { h, a, b, linkA, linkB, ifA, ifB };
    } catch (e) {
      await h.lab.dispose();
      throw e;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.lab.dispose();
  }
}
