import { parseIp } from "../../core/ip.ts";
import { assert, assertEquals } from "../../tests/assert.ts";
import { AddrOps, decodeAddress } from "./addr.ts";
import { LinkOps } from "./link.ts";
import { decodeLink } from "./link_info.ts";
import { RouteOps } from "./route.ts";
import type { NetlinkSocket, RequestBody } from "./socket.ts";
import {
  attrStr,
  attrU32,
  decodeAttrs,
  decodeMessages,
  NLM_F_ACK,
  NLM_F_REQUEST,
  NlWriter,
} from "./wire.ts";

const hex = (s: string) =>
  new Uint8Array(s.replace(/\s+/g, "").match(/../g)!.map((x) => parseInt(x, 16)));
const toHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** Records the requests operations would send (seq fixed at 1). */
function recorder(): { nl: NetlinkSocket; sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  const stub = {
    ack(_op: string, type: number, flags: number, body: RequestBody): Promise<void> {
      const w = new NlWriter().begin(type, flags | NLM_F_REQUEST | NLM_F_ACK, 1);
      body(w);
      sent.push(w.finish().slice());
      return Promise.resolve();
    },
  };
  return { nl: stub as unknown as NetlinkSocket, sent };
}

Deno.test("netlink wire: RTM_NEWADDR as iproute2 6.1 sends `ip addr add 10.1.2.3/24 dev lo`", async () => {
  const { nl, sent } = recorder();
  const links = new LinkOps(nl);
  await new AddrOps(nl, links).add(1, "10.1.2.3/24");
  // strace of iproute2-6.1.0 on Debian 12, seq set to 1.
  const iproute2 = hex(`28000000 1400 0506 01000000 00000000
    02 18 00 00 01000000
    0800 0200 0a010203
    0800 0100 0a010203`);
  assertEquals(toHex(sent[0]!), toHex(iproute2));
});

Deno.test("netlink wire: RTM_NEWROUTE equals iproute2's `ip route add 10.9.0.0/16 via 10.1.2.1 table 100 proto static` plus RTA_TABLE", async () => {
  const { nl, sent } = recorder();
  await new RouteOps(nl, new LinkOps(nl)).add({
    dst: "10.9.0.0/16",
    gateway: parseIp("10.1.2.1"),
    table: 100,
  });
  const expected = hex(`34000000 1800 0506 01000000 00000000
    02 10 00 00 64 04 00 01 00000000
    0800 0100 0a090000
    0800 0f00 64000000
    0800 0500 0a010201`);
  assertEquals(toHex(sent[0]!), toHex(expected));
});

Deno.test("netlink wire: nested attributes get their lengths (veth peer)", async () => {
  const { nl, sent } = recorder();
  await new LinkOps(nl).addVeth("tkv0", "tkv1");
  const msg = sent[0]!;
  const d = decodeMessages(msg);
  assert(d.ok);
  const body = d.value[0]!.body;
  const top = decodeAttrs(body, 16);
  assert(top.ok);
  assertEquals(attrStr(top.value, 3), "tkv0");
  const info = decodeAttrs(top.value.get(18)!);
  assert(info.ok);
  assertEquals(attrStr(info.value, 1), "veth");
  const data = decodeAttrs(info.value.get(2)!);
  assert(data.ok);
  const peer = data.value.get(1)!;
  const peerAttrs = decodeAttrs(peer, 16);
  assert(peerAttrs.ok);
  assertEquals(attrStr(peerAttrs.value, 3), "tkv1");
});

Deno.test("netlink wire: truncated input is reported with its offset, never thrown", () => {
  const w = new NlWriter().begin(16, 0, 7);
  w.zeros(16).attrU32(4, 1500).attrStr(3, "eth1");
  const good = w.finish().slice();
  const ok = decodeMessages(good);
  assert(ok.ok);
  assertEquals(ok.value[0]!.seq, 7);
  const link = decodeLink(ok.value[0]!.body);
  assert(link.ok);
  assertEquals([link.value.name, link.value.mtu], ["eth1", 1500]);

  const short = decodeMessages(good.subarray(0, 10));
  assertEquals(short, { ok: false, offset: 0, reason: "truncated message header" });
  const lying = good.slice();
  new DataView(lying.buffer).setUint32(0, 200, true);
  assertEquals(decodeMessages(lying).ok, false);
  const badAttr = decodeAttrs(hex("0800 0400 dc050000 0300"));
  assertEquals(badAttr, { ok: false, offset: 8, reason: "truncated attribute header" });
  const zeroLen = decodeAttrs(hex("0000 0100"));
  assertEquals(zeroLen, { ok: false, offset: 0, reason: "attribute length 0 below header size" });
  assertEquals(decodeLink(new Uint8Array(8)).ok, false);
  assertEquals(decodeAddress(hex("02180000 01000000")).ok, false, "no address attribute");
  const attrs = decodeAttrs(hex("0800 0400 dc050000"));
  assert(attrs.ok);
  assertEquals(attrU32(attrs.value, 4), 1500);
});
