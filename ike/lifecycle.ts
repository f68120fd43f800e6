/**
 * The timers of established SAs, strongSwan-style: IKE rekey and
 * reauthentication at their jittered times, hard expiry, CHILD rekey and
 * expiry, liveness checks every `dpd-delay` of inbound silence (IKE or
 * ESP, the latter from the dataplane's counters), and the half-open
 * timeout of SAs being set up. Every callback re-checks the SA's state: a
 * timer may fire after the SA moved on.
 *
 * @module
 */
import type { ChildSa } from "./child_sa.ts";
import type { SaRuntime } from "./sa_runtime.ts";
import { ChildDelete } from "./tasks/child_delete.ts";
import { ChildRekey } from "./tasks/child_rekey.ts";
import { IkeDelete } from "./tasks/ike_delete.ts";
import { IkeDpd } from "./tasks/ike_dpd.ts";
import { IkeRekey } from "./tasks/ike_rekey.ts";
import { planLifetime } from "./timing.ts";

/** Arms rekey, reauth, expiry and DPD of an established IKE SA. */
export function armIke(rt: SaRuntime, fresh = true): void {
  const { sa, ports } = rt;
  const vpn = sa.vpn!;
  const now = ports.clock.now();
  if (fresh) {
    const plan = planLifetime(ports.rng, vpn.ike.rekeyTime);
    const reauth = planLifetime(ports.rng, vpn.ike.reauthTime).rekeyIn;
    sa.rekeyAt = plan.rekeyIn !== undefined ? now + plan.rekeyIn : undefined;
    sa.expireAt = plan.expireIn !== undefined ? now + plan.expireIn : undefined;
    sa.reauthAt = reauth !== undefined ? now + reauth : undefined;
  }
  const at = (t: number | undefined, name: string, fn: () => void) => {
    if (t !== undefined) sa.timers.set(name, ports.clock.setTimer(Math.max(0, t - now), fn));
  };
  at(sa.rekeyAt, "rekey", () => {
    if (sa.state === "established") rt.tasks.queue(new IkeRekey(rt));
  });
  at(sa.reauthAt, "reauth", () => {
    if (sa.state === "established") rt.engine.reauthenticate(rt);
  });
  at(sa.expireAt, "expire", () => {
    if (sa.state === "destroyed") return;
    ports.log.ike.control("IKE SA hard lifetime reached");
    rt.tasks.flush("expired");
    rt.tasks.queue(new IkeDelete(rt, "expired"));
  });
  armDpd(rt);
  armKeepalive(rt);
}

/**
 * RFC 3948 §2.3: behind a NAT, a one-octet 0xFF datagram keeps the
 * mapping open when nothing else was sent for `natKeepalive` seconds.
 */
export function armKeepalive(rt: SaRuntime): void {
  const { sa, ports } = rt;
  const every = rt.options.natKeepalive * 1000;
  if (!sa.nat.local || every <= 0) return;
  sa.timers.set(
    "keepalive",
    ports.clock.setTimer(every, () => {
      if (sa.state === "destroyed" || sa.state === "passive") return;
      const last = rt.lastSent ?? 0;
      if (ports.clock.now() - last >= every) {
        ports.transport.send(sa.local, sa.remote, Uint8Array.of(0xff));
      }
      armKeepalive(rt);
    }),
  );
}

/** Schedules the next liveness check, if `dpd-delay` is set. */
export function armDpd(rt: SaRuntime): void {
  const { sa, ports } = rt;
  const delay = (sa.vpn?.ike.dpdDelay ?? 0) * 1000;
  if (delay <= 0) return;
  sa.timers.set("dpd", ports.clock.setTimer(delay, () => checkLiveness(rt, delay)));
}

function checkLiveness(rt: SaRuntime, delay: number): void {
  const { sa, ports } = rt;
  if (sa.state !== "established") return armDpd(rt);
  const now = ports.clock.now();
  let last = rt.tasks.lastInbound ?? sa.establishedAt ?? 0;
  for (const c of sa.children) {
    const seen = ports.dataplane.counters(c.id)?.lastInbound;
    if (seen !== undefined && seen > last) last = seen;
  }
  if (now - last < delay) {
    sa.timers.set("dpd", ports.clock.setTimer(last + delay - now, () => checkLiveness(rt, delay)));
    return;
  }
  if (!rt.tasks.busy) {
    ports.log.ike.detail("no traffic for dpd-delay, checking liveness");
    rt.tasks.queue(new IkeDpd(true));
  }
  armDpd(rt);
}

/** Arms rekey and hard expiry of an installed CHILD SA. */
export function armChild(rt: SaRuntime, child: ChildSa, fresh = true): void {
  const { ports } = rt;
  const now = ports.clock.now();
  if (fresh) {
    const plan = planLifetime(ports.rng, child.config.rekeyTime, child.config.lifeTime);
    child.rekeyAt = plan.rekeyIn !== undefined ? now + plan.rekeyIn : undefined;
    child.expireAt = plan.expireIn !== undefined ? now + plan.expireIn : undefined;
  }
  if (child.rekeyAt !== undefined) {
    child.timers.set(
      "rekey",
      ports.clock.setTimer(Math.max(0, child.rekeyAt - now), () => rekeyChild(child, rt)),
    );
  }
  if (child.expireAt !== undefined) {
    child.timers.set(
      "expire",
      ports.clock.setTimer(Math.max(0, child.expireAt - now), () => expireChild(child, rt)),
    );
  }
}

/** Queues a rekey of `child` on whatever IKE SA owns it now. */
export function rekeyChild(child: ChildSa, via: SaRuntime): void {
  const rt = via.engine.ownerOf(child) ?? via;
  if (child.state !== "installed") return;
  if (rt.tasks.queuedTasks().some((t) => t instanceof ChildRekey && t.old === child)) return;
  rt.tasks.queue(new ChildRekey(rt, child));
}

function expireChild(child: ChildSa, via: SaRuntime): void {
  const rt = via.engine.ownerOf(child) ?? via;
  if (child.state === "destroyed" || child.state === "deleting") return;
  rt.ports.log.chd.control(`CHILD SA ${child.config.name} hard lifetime reached`);
  rt.tasks.queue(new ChildDelete(rt, [child], "expired"));
}

/** Destroys an SA that is still not established after the half-open timeout. */
export function armHalfOpen(rt: SaRuntime): void {
  const { sa, ports } = rt;
  const ms = rt.options.halfOpenTimeout * 1000;
  sa.timers.set(
    "half-open",
    ports.clock.setTimer(ms, () => {
      if (sa.state === "created" || sa.state === "connecting") {
        rt.engine.failed(rt, "half-open timeout", true);
      }
    }),
  );
}
