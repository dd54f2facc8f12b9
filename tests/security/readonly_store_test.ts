// Issue #14.8: `install` on a read-only store with nothing missing succeeds (it needs no lock
// file and no temp file when everything is installed); with something missing it fails cleanly.
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { makeProject, type TestProject, writeTestLock } from "../e2e/install_support.ts";
import { envknit, errorLine, snapshot } from "./support.ts";

/**
 * Makes `home` read-only for this process and returns how to undo it: a read-only bind mount
 * when running as root (root ignores permission bits), `chmod -R a-w` otherwise.
 */
async function makeReadOnly(p: TestProject): Promise<{ home: string; undo: () => Promise<void> }> {
  if (Deno.uid() === 0) {
    const ro = `${p.dir}/ro-home`;
    await Deno.mkdir(ro);
    const bind = await new Deno.Command("mount", { args: ["--bind", p.home, ro] }).output();
    if (bind.success) {
      const remount = await new Deno.Command("mount", {
        args: ["-o", "remount,ro,bind", ro],
      }).output();
      if (remount.success) {
        return {
          home: ro,
          undo: async () => {
            await new Deno.Command("umount", { args: ["-l", ro] }).output();
          },
        };
      }
      await new Deno.Command("umount", { args: ["-l", ro] }).output();
    }
  }
  const chmod = (mode: string) =>
    new Deno.Command("chmod", { args: ["-R", mode, p.home] }).output();
  await chmod("a-w");
  return { home: p.home, undo: async () => void (await chmod("u+w")) };
}

Deno.test("install on a read-only store with nothing missing succeeds", async () => {
  const one = await buildWheel({ name: "rostore", version: "1.0" });
  const two = await buildWheel({ name: "rostore-two", version: "2.0" });
  await using index = await startIndex({ projects: { rostore: [one], "rostore-two": [two] } });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, { default: [{ wheels: [one] }, { wheels: [two] }] }, index);
  assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
  const before = await snapshot(p.home);
  const ro = await makeReadOnly(p);
  try {
    const env = { ...p.env, ENVKNIT_HOME: ro.home };
    // The read-only store really refuses writes (for this process too).
    const probe = await new Deno.Command("touch", { args: [`${ro.home}/probe`] }).output();
    if (Deno.uid() !== 0) assert(!probe.success);
    await index.close(); // and no network is needed either
    const r = await envknit(["install"], { cwd: p.project, env });
    assertEquals(r.code, 0, r.stderr);
    assert(!r.stderr.includes("error"), r.stderr);
    const v = await envknit(["verify"], { cwd: p.project, env });
    assertEquals(v.code, 0, v.stderr + v.stdout);

    // Something missing: a clean error, nothing changed.
    const three = await buildWheel({ name: "rostore-three", version: "3.0" });
    await writeTestLock(
      p.lockPath,
      { default: [{ wheels: [one] }, { wheels: [two] }, { wheels: [three] }] },
      null,
    );
    const missing = await envknit(["install"], { cwd: p.project, env });
    assertMatch(errorLine(missing), /^error: /);
  } finally {
    await ro.undo();
  }
  assertEquals(await snapshot(p.home), before, "the store is exactly as it was");
});
