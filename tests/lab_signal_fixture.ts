/**
 * Child program of the lab signal test (`lab_topology_test.ts`): builds a
 * small lab, starts a sleeper inside it, prints what it built as one JSON
 * line, then waits until a signal ends it. The exit guard must delete
 * everything on SIGINT/SIGTERM.
 *
 * @module
 */
import { NetnsLab } from "../lab/netns_lab.ts";
import { buildTopology } from "../lab/topology.ts";

const lab = new NetnsLab("ts");
const topo = await buildTopology(lab, {
  namespaces: [{ name: "x" }, { name: "y" }],
  links: [{ a: ["x", "e0", "10.254.99.1/30"], b: ["y", "e0", "10.254.99.2/30"] }],
});
const sleeper = lab.start(topo.ns("x"), ["sleep", "600"], { name: "sleeper" });
console.log(JSON.stringify({
  namespaces: lab.namespaces,
  runDir: lab.runDir,
  pid: sleeper.pid,
}));
// Keeps the event loop alive until a signal arrives.
setInterval(() => {}, 60_000);
