/**
 * Test fixture for the kernel tests: a {@linkcode NetnsLab} with the
 * `tk` prefix and its namespaces as {@linkcode Netns} handles.
 *
 * @module
 */
import { NetnsLab } from "../../tests/netns.ts";
import { Netns } from "../netns.ts";

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

  async [Symbol.asyncDispose](): Promise<void> {
    await this.lab.dispose();
  }
}
