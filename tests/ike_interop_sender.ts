/**
 * Test helper program (not a test): a raw UDP peer for robustness tests.
 * Binds an ephemeral port on the given address (inside a namespace, via
 * `ip netns exec`), sends every datagram listed on stdin (JSON: `[{"port":
 * n, "hex": "..."}]`) to `to`, and prints the source port it used.
 *
 * Usage: deno run -A --unstable-net tests/ike_interop_sender.ts FROM TO < datagrams.json
 *
 * @module
 */
const [from, to] = Deno.args;
const list = JSON.parse(await new Response(Deno.stdin.readable).text()) as {
  port: number;
  hex: string;
}[];
const sock = Deno.listenDatagram({ transport: "udp", hostname: from!, port: 0 });
for (const d of list) {
  const data = Uint8Array.from(d.hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  await sock.send(data, { transport: "udp", hostname: to!, port: d.port });
}
console.log(JSON.stringify({ port: (sock.addr as Deno.NetAddr).port, sent: list.length }));
sock.close();
