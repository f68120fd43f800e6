import { assertEquals } from "../tests/assert.ts";
import { rootTest } from "../tests/netns.ts";
import { boundDevice, listenDatagramIn } from "./datagram.ts";
import { NetlinkLabHelper } from "./netlink/test_lab.ts";
import { bindFdToDevice } from "./socket_base.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The next datagram's text, or "timeout" after `ms`. */
function nextText(conn: Deno.DatagramConn, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    conn.receive().then(([d]) => dec.decode(d)),
    new Promise<string>((r) => timer = setTimeout(() => r("timeout"), ms)),
  ]).finally(() => clearTimeout(timer));
}

rootTest(
  "deno datagram in a VRF: port 500 lives there, SO_BINDTODEVICE through its fd",
  async () => {
    const p = await NetlinkLabHelper.pair(["10.254.99.1/24", "10.254.99.2/24"]);
    await using _ = p.h;
    const ike = listenDatagramIn(p.b, { transport: "udp", hostname: "0.0.0.0", port: 500 }, {
      device: "lo",
    });
    const peer = listenDatagramIn(p.a, { transport: "udp", hostname: "10.254.99.1", port: 500 });
    try {
      assertEquals(boundDevice(ike.fd), "lo");
      assertEquals(boundDevice(peer.fd), "");
      const to = { transport: "udp" as const, hostname: "10.254.99.2", port: 500 };
      const first = nextText(ike.conn, 300);
      await peer.conn.send(enc.encode("while bound to lo"), to);
      assertEquals(await first, "timeout");
      bindFdToDevice(ike.fd, p.linkB, "IKE socket");
      assertEquals(boundDevice(ike.fd), p.linkB);
      const second = nextText(ike.conn, 3000);
      await peer.conn.send(enc.encode("IKE_SA_INIT"), to);
      assertEquals(await second, "IKE_SA_INIT");
    } finally {
      ike.conn.close();
      peer.conn.close();
    }
  },
);
