import { assertEquals, assertThrows } from "../tests/assert.ts";
import { mbitPerCpuSecond, parseIperf3, parsePing, parseProcStat } from "./traffic.ts";

const vector = (name: string) =>
  Deno.readTextFileSync(new URL(`../tests/vectors/lab/${name}`, import.meta.url));

Deno.test("parsePing: iputils summary with rtt", () => {
  const text = [
    "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.",
    "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.105 ms",
    "",
    "--- 127.0.0.1 ping statistics ---",
    "2 packets transmitted, 2 received, 0% packet loss, time 202ms",
    "rtt min/avg/max/mdev = 0.046/0.075/0.105/0.029 ms",
  ].join("\n");
  assertEquals(parsePing(text), {
    sent: 2,
    received: 2,
    lossPercent: 0,
    rtt: { min: 0.046, avg: 0.075, max: 0.105, mdev: 0.029 },
  });
});

Deno.test("parsePing: all lost, with errors, and no summary at all", () => {
  const lost = "3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2043ms\n";
  assertEquals(parsePing(lost), { sent: 3, received: 0, lossPercent: 100 });
  const part = "5 packets transmitted, 4 received, 20% packet loss, time 801ms\n" +
    "rtt min/avg/max/mdev = 1.000/2.000/3.000/0.500 ms\n";
  assertEquals(parsePing(part)?.lossPercent, 20);
  assertEquals(parsePing("ping: connect: Network is unreachable\n"), undefined);
});

Deno.test("parseIperf3: TCP report (iperf 3.12)", () => {
  const r = parseIperf3(vector("iperf3-3.12-tcp.json"));
  assertEquals(Math.round(r.receivedMbps), 28985);
  assertEquals(Math.round(r.sentMbps), 28986);
  assertEquals(r.retransmits, 0);
  assertEquals(r.lostPercent, undefined);
  assertEquals(Math.round(r.cpuLocalPercent!), 97);
});

Deno.test("parseIperf3: UDP report (iperf 3.12)", () => {
  const r = parseIperf3(vector("iperf3-3.12-udp.json"));
  assertEquals(Math.round(r.sentMbps * 100) / 100, 10.22);
  assertEquals(r.lostPercent, 0);
  assertEquals(r.retransmits, undefined);
  assertEquals(typeof r.jitterMs, "number");
});

Deno.test("parseIperf3: iperf3's error and non-JSON output are errors", () => {
  assertThrows(
    () => parseIperf3(vector("iperf3-3.12-err.json")),
    Error,
    "iperf3 failed: unable to connect to server: Connection refused",
  );
  assertThrows(() => parseIperf3("iperf3: error - bad"), Error, "not JSON");
  assertThrows(() => parseIperf3("{}"), Error, "no summary");
});

Deno.test("parseProcStat: a command name with spaces and parentheses", () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const stat = "4242 (a b) (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 4 0 9876 0 0";
  assertEquals(parseProcStat(stat), { utime: 250, stime: 75, startTime: 9876 });
  assertEquals(parseProcStat("garbage"), undefined);
  const self = parseProcStat(Deno.readTextFileSync("/proc/self/stat"));
  assertEquals(self !== undefined && self.startTime > 0, true);
});

Deno.test("mbitPerCpuSecond: megabits moved per CPU-second", () => {
  const r = { seconds: 10, sentMbps: 500, receivedMbps: 400 };
  assertEquals(mbitPerCpuSecond(r, 8), 500);
  assertEquals(Number.isNaN(mbitPerCpuSecond(r, 0)), true);
});
