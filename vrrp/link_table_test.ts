/**
 * The link facts VRRP tracks (RFC 5798 §5.1.1.1 primary IPv4 address,
 * §5.1.2.1 IPv6 link-local source), fed with rtnetlink records.
 */
import { assertEquals } from "../tests/assert.ts";
import { formatIp, parseInterfaceAddress } from "../core/ip.ts";
import { type Address, IFA_F_TENTATIVE, type Link, type OperState } from "../kernel/mod.ts";
import { LinkTable } from "./link_table.ts";

function link(index: number, name: string, up: boolean, oper: OperState = "UP"): Link {
  return {
    index,
    name,
    flags: 0,
    up,
    lowerUp: up,
    operState: oper,
    mtu: 1500,
    hwType: 1,
  };
}

function addr(index: number, text: string, flags = 0, scope = 0): Address {
  return { index, address: parseInterfaceAddress(text), flags, scope };
}

function brief(t: LinkTable, name: string): string {
  const f = t.facts(name);
  if (!f) return "absent";
  const v4 = f.primary4 ? formatIp(f.primary4) : "-";
  const v6 = f.linkLocal6 ? formatIp(f.linkLocal6) : "-";
  return `#${f.index} ${f.up ? "up" : "down"} ${v4} ${v6}`;
}

Deno.test("vrrp link table: primary IPv4, usable link-local, up/down, renames and deletion", () => {
  const t = new LinkTable();
  t.reset([link(2, "eth1", true)], [
    addr(2, "10.22.0.1/24"),
    addr(2, "10.22.0.9/24", 0x01), // secondary
    addr(2, "fe80::1/64", IFA_F_TENTATIVE, 253),
  ]);
  assertEquals(brief(t, "eth1"), "#2 up 10.22.0.1 -");
  // DAD done: the same address again without the tentative flag.
  assertEquals(t.apply({ kind: "addr", action: "new", addr: addr(2, "fe80::1/64", 0, 253) }), [
    "eth1",
  ]);
  assertEquals(brief(t, "eth1"), "#2 up 10.22.0.1 fe80::1");
  t.apply({ kind: "addr", action: "del", addr: addr(2, "10.22.0.1/24") });
  assertEquals(brief(t, "eth1"), "#2 up - fe80::1", "secondaries are not primaries");
  t.apply({ kind: "addr", action: "new", addr: addr(2, "10.22.0.9/24") });
  assertEquals(brief(t, "eth1"), "#2 up 10.22.0.9 fe80::1", "a promoted secondary");
  t.apply({ kind: "link", action: "new", link: link(2, "eth1", true, "LOWERLAYERDOWN") });
  assertEquals(brief(t, "eth1"), "#2 down 10.22.0.9 fe80::1");
  t.apply({ kind: "link", action: "new", link: link(2, "eth1", true, "UNKNOWN") });
  assertEquals(brief(t, "eth1"), "#2 up 10.22.0.9 fe80::1", "no operstate support, carrier on");
  assertEquals(t.apply({ kind: "link", action: "new", link: link(2, "wan", true) }), [
    "eth1",
    "wan",
  ]);
  assertEquals(brief(t, "eth1"), "absent");
  assertEquals(brief(t, "wan"), "#2 up 10.22.0.9 fe80::1");
  t.apply({ kind: "link", action: "del", link: link(2, "wan", false) });
  assertEquals(brief(t, "wan"), "absent");
  t.apply({ kind: "link", action: "new", link: link(7, "wan", true) });
  assertEquals(brief(t, "wan"), "#7 up - -", "a new link starts without the old addresses");
  assertEquals(t.apply({ kind: "addr", action: "new", addr: addr(9, "10.1.1.1/24") }), []);
});
