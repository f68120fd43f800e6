/**
 * Run by kernel/permissions_test.ts under `--allow-ffi=<libc>` only: uses
 * the kernel layer's pointer paths (errno, directory listing, realpath,
 * recvmmsg/sendmmsg arenas) inside namespace `Deno.args[0]`, and prints
 * what it saw. Fails if any of them needs more than the scoped grant.
 *
 * @module
 */
import { parseIp } from "../core/ip.ts";
import { KernelError } from "../kernel/errno.ts";
import { listDir, readTextFile, realPath } from "../kernel/files.ts";
import { DatagramBatch } from "../kernel/msg_batch.ts";
import { Netns } from "../kernel/netns.ts";
import { UdpSocket } from "../kernel/socket_udp.ts";

const ns = Netns.named(Deno.args[0]!);
let error = "";
try {
  readTextFile("/nonexistent/file");
} catch (e) {
  error = e instanceof KernelError ? e.code : String(e);
}
const fds = listDir("/proc/self/fd").length > 0;
const self = realPath("/proc/self/exe").length > 0;
const lo = parseIp("127.0.0.1");
using s = UdpSocket.open({ ns, address: lo, port: 0 });
const port = s.localAddress().port;
const out = new DatagramBatch(4, 256);
for (let i = 0; i < 4; i++) {
  out.lens[i] = 10 + i;
  out.setPeer(i, lo, port);
}
const sent = s.sendBatch(out, 4);
const inb = new DatagramBatch(8, 256);
const got = s.recvBatch(inb);
console.log(JSON.stringify({ error, fds, self, sent, got, lens: [...inb.lens.subarray(0, got)] }));
