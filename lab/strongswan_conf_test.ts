import { assertEquals, assertStringIncludes, assertThrows } from "../tests/assert.ts";
import {
  checkPlugins,
  DEFAULT_PLUGINS,
  renderSettings,
  renderStrongswanConf,
  settingValue,
} from "./strongswan_conf.ts";

const paths = { log: "/run/x/charon.log", vici: "/run/x/charon.vici" };

Deno.test("settingValue: plain values bare, others quoted and escaped", () => {
  assertEquals(settingValue(true), "yes");
  assertEquals(settingValue(false), "no");
  assertEquals(settingValue(220), "220");
  assertEquals(settingValue("aes128-sha1-modp1024"), "aes128-sha1-modp1024");
  assertEquals(settingValue(["10.1.0.0/24", "10.2.0.0/24"]), "10.1.0.0/24, 10.2.0.0/24");
  assertEquals(settingValue("%Y-%m-%d %T"), "%Y-%m-%d %T");
  assertEquals(settingValue("a#b"), '"a#b"');
  assertEquals(settingValue('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"');
  assertEquals(settingValue(" padded "), '" padded "');
  assertEquals(settingValue(""), '""');
  assertThrows(() => settingValue("two\nlines"), Error, "control character");
});

Deno.test("renderSettings: nested sections, undefined left out, bad keys refused", () => {
  assertEquals(
    renderSettings({ a: { b: 1, skip: undefined, c: { d: "x" } }, e: false }),
    "a {\n    b = 1\n    c {\n        d = x\n    }\n}\ne = no\n",
  );
  assertThrows(() => renderSettings({ "a b": 1 }), Error, 'Cannot write setting "a b"');
});

Deno.test("renderStrongswanConf: private, non-modular, libipsec first, log to file", () => {
  const conf = renderStrongswanConf(paths);
  assertStringIncludes(conf, "    load_modular = no\n");
  assertStringIncludes(conf, `    load = ${DEFAULT_PLUGINS.join(" ")}\n`);
  const load = DEFAULT_PLUGINS.join(" ");
  assertEquals(load.indexOf("kernel-libipsec") < load.indexOf("kernel-netlink"), true);
  assertStringIncludes(conf, "            path = /run/x/charon.log\n");
  assertStringIncludes(conf, "            ike = 2\n");
  assertStringIncludes(conf, "            esp = 1\n");
  assertStringIncludes(conf, "            socket = unix:///run/x/charon.vici\n");
  assertStringIncludes(conf, "swanctl {\n    load = random openssl pem pkcs1 x509 pubkey\n");
  assertStringIncludes(conf, "    dos_protection = yes\n    reuse_ikesa = yes\n");
  assertEquals(conf.includes("retransmit"), false, "charon's defaults unless asked");
});

Deno.test("renderStrongswanConf: key logging, ESP log, load-test and table options", () => {
  const conf = renderStrongswanConf(paths, {
    logKeys: true,
    espLog: 2,
    logLevels: { cfg: 3 },
    dosProtection: false,
    reuseIkesa: false,
    retransmit: { timeout: 1, tries: 2, base: 1.5 },
    ikesaTableSize: 1024,
    ikesaTableSegments: 16,
    extra: { init_limit_half_open: 5000 },
  });
  for (
    const line of [
      "            ike = 4\n",
      "            chd = 4\n",
      "            esp = 2\n",
      "            cfg = 3\n",
      "    dos_protection = no\n",
      "    reuse_ikesa = no\n",
      "    retransmit_timeout = 1\n",
      "    retransmit_tries = 2\n",
      "    retransmit_base = 1.5\n",
      "    ikesa_table_size = 1024\n",
      "    ikesa_table_segments = 16\n",
      "    init_limit_half_open = 5000\n",
    ]
  ) assertStringIncludes(conf, line);
});

Deno.test("renderStrongswanConf: kernel-netlink before kernel-libipsec is refused", () => {
  const bad = ["random", "kernel-netlink", "kernel-libipsec", "vici"];
  assertEquals(checkPlugins(bad)?.includes("before kernel-netlink"), true);
  assertEquals(checkPlugins(DEFAULT_PLUGINS), undefined);
  assertThrows(
    () => renderStrongswanConf(paths, { plugins: bad }),
    Error,
    "Cannot use plugin list",
  );
});
