/**
 * V8 compiles a function the first time it runs. A VRRP process may sit
 * in Backup for months and then become master exactly once, cold: the
 * state machine, speaker, codec and sync-group paths of a takeover then
 * cost about 0.7 ms more than warm (measured with bench/vrrp_failover.ts
 * and marks in the takeover path). {@linkcode warmUpVrrp} runs those paths
 * once at start, on a throwaway instance and sync group under a fake clock
 * with a port that does nothing, so the first real takeover runs warm.
 *
 * @module
 */
import { FakeClock } from "../core/clock.ts";
import { parseInterfaceAddress, parseIp } from "../core/ip.ts";
import { quietLogger } from "../core/log.ts";
import { VrrpGroup } from "./group.ts";
import { VrrpInstance } from "./instance.ts";
import { encodeVrrp, VRRP_GROUP_V4 } from "./packet.ts";
import type { VrrpPort } from "./port.ts";
import { VrrpReceiver } from "./receiver.ts";

const IDLE: VrrpPort = {
  sendAdvert: () => true,
  addVirtualAddresses: () => {},
  removeVirtualAddresses: () => {},
  announce: () => {},
};

/**
 * Takes a throwaway instance through Backup -> Master -> Backup -> Master
 * (after a priority-0 advert) -> Initialize; returns the transitions made.
 */
export function warmUpVrrp(): string[] {
  const clock = new FakeClock();
  const log = quietLogger("vrrp");
  const vip = parseInterfaceAddress("192.0.2.10/24");
  const inst = new VrrpInstance({
    name: "warm-up",
    linkInterface: "warm-up",
    vrid: 1,
    virtualAddresses: [vip],
    primaryAddress: parseIp("192.0.2.1"),
  }, { clock, log, port: IDLE });
  const group = new VrrpGroup("warm-up", { clock, log });
  group.addMember(inst);
  const rx = new VrrpReceiver("warm-up", 4);
  rx.add(inst);
  const peer = parseIp("192.0.2.2");
  const advert = (priority: number) =>
    encodeVrrp(
      { family: 4, vrid: 1, priority, intervalCs: 100, addresses: [vip.address] },
      peer,
      VRRP_GROUP_V4,
    );
  const seen: string[] = [];
  inst.onTransition((t) => seen.push(`${t.from}->${t.to}`));
  inst.start();
  clock.advance(4000);
  rx.input(advert(200), peer, VRRP_GROUP_V4, 255, clock.now());
  rx.input(advert(200), peer, VRRP_GROUP_V4, 255, clock.now());
  rx.input(advert(0), peer, VRRP_GROUP_V4, 255, clock.now());
  clock.advance(1000);
  inst.stop();
  group.close();
  rx.remove(inst);
  return seen;
}
