import { assertEquals } from "../tests/assert.ts";
import { rootTest } from "../tests/netns.ts";
import { libc, LIBC_PATHS, libcPath } from "./libc.ts";
import { LIBCRYPTO_PATHS } from "./libcrypto.ts";
import { NetlinkLabHelper } from "./netlink/test_lab.ts";

rootTest("permissions: the kernel layer works with only a scoped --allow-ffi grant", async () => {
  await using h = await NetlinkLabHelper.create("a");
  libc();
  const probe = new URL("../tests/kernel_scoped_ffi_probe.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--cached-only", `--allow-ffi=${libcPath()}`, probe, h.names[0]!],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), {
    error: "ENOENT",
    fds: true,
    self: true,
    sent: 4,
    got: 4,
    lens: [10, 11, 12, 13],
  });
});

Deno.test("permissions: the set 'tandem' of deno.json lets FFI open every library path tried", () => {
  const config = JSON.parse(
    Deno.readTextFileSync(new URL("../deno.json", import.meta.url)),
  ) as { permissions: { tandem: { ffi: string[] } } };
  const granted = new Set(config.permissions.tandem.ffi);
  const tried = [...LIBC_PATHS, ...LIBCRYPTO_PATHS].filter((p) => p.startsWith("/"));
  assertEquals(tried.filter((p) => !granted.has(p)), [], "paths the set does not grant");
  assertEquals([...granted].filter((p) => !tried.includes(p)), [], "grants nothing opens");
});
