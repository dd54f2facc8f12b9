// Resolver settings live with the project (issue #17.5): `prerelease`, `no_binary`, `any_wheel`
// and `targets` in envknit.yaml are what `lock`, and the re-locks of `add` and `upgrade`, use;
// a flag of `envknit lock` overrides one for that run only.
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { configText, errorLines, lockProjectDir } from "./lock_support.ts";

function versions(lock: { environments: Record<string, { name: string; version: string }[]> }) {
  return Object.fromEntries(
    Object.entries(lock.environments).map((
      [env, pkgs],
    ) => [env, pkgs.map((p) => `${p.name}==${p.version}`)]),
  );
}

Deno.test("prerelease in envknit.yaml: lock, add and upgrade all use it; --prerelease overrides one run", async () => {
  await using index = await startIndex({
    projects: {
      pre: [
        await buildWheel({ name: "pre", version: "1.0" }),
        await buildWheel({ name: "pre", version: "2.0b1" }),
      ],
      other: [
        await buildWheel({ name: "other", version: "1.0" }),
        await buildWheel({ name: "other", version: "1.1rc1" }),
      ],
    },
  });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["pre"] } }) + "prerelease: allow\n");
  let r = await p.run(["lock"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(versions(await p.lock()), { default: ["pre==2.0b1"] });

  // The command line overrides it for one run …
  r = await p.run(["lock", "--prerelease", "disallow"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(versions(await p.lock()), { default: ["pre==1.0"] });
  // … and says so: the re-locks of add and upgrade follow envknit.yaml.
  assertStringIncludes(r.stderr, "prerelease");
  assertStringIncludes(r.stderr, "this run only");

  // `add` re-locks with envknit.yaml's setting: the new package gets its pre-release.
  r = await p.run(["add", "other"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(versions(await p.lock()).default.includes("other==1.1rc1"), true);
  // `upgrade` too: pre moves back to the pre-release the project allows.
  r = await p.run(["upgrade"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(versions(await p.lock()), { default: ["other==1.1rc1", "pre==2.0b1"] });

  // Without the setting, the same upgrade keeps to final releases.
  await p.config(configText(index.url, { default: { packages: ["pre", "other"] } }));
  r = await p.run(["upgrade"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(versions(await p.lock()), { default: ["other==1.0", "pre==1.0"] });
});

Deno.test("no_binary and any_wheel in envknit.yaml decide the lock; flags override them", async () => {
  await using index = await startIndex({
    projects: {
      nb: [
        await buildWheel({ name: "nb", version: "1.0" }),
        await buildWheel({ name: "nb", version: "2.0" }),
      ],
      // A wheel for Windows only: lockable for this machine only with any_wheel.
      winonly: [
        await buildWheel({ name: "winonly", version: "1.0", tags: ["py3-none-win_amd64"] }),
      ],
    },
  });
  await using p = await lockProjectDir();
  const base = configText(index.url, { default: { packages: ["nb"] } });
  await p.config(base + "no_binary: [nb]\n");
  let r = await p.run(["lock"]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(errorLines(r.stderr)[0], "nb");
  assertStringIncludes(r.stderr, "no_binary");
  assertEquals(await p.lockText(), null);
  // --no-binary replaces envknit.yaml's list for this run.
  r = await p.run(["lock", "--no-binary", "winonly"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(versions(await p.lock()), { default: ["nb==2.0"] });

  const winConfig = configText(index.url, { default: { packages: ["winonly"] } });
  await p.config(winConfig);
  r = await p.run(["lock"]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(errorLines(r.stderr)[0], "winonly");
  await p.config(winConfig + "any_wheel: true\n");
  r = await p.run(["lock"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(versions(await p.lock()), { default: ["winonly==1.0"] });
  // `add` re-locks with any_wheel too (it would fail without it).
  r = await p.run(["add", "nb==1.0"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(versions(await p.lock()), { default: ["nb==1.0", "winonly==1.0"] });
});

Deno.test("targets in envknit.yaml: add and upgrade re-lock for every target", async () => {
  await using index = await startIndex({
    projects: {
      native: [
        await buildWheel({ name: "native", version: "1.0", tags: ["cp311-cp311-win_amd64"] }),
        await buildWheel({
          name: "native",
          version: "2.0",
          tags: ["cp311-cp311-manylinux_2_17_x86_64"],
        }),
      ],
      tool: [await buildWheel({ name: "tool", version: "1.0", requiresDist: ["native"] })],
    },
  });
  await using p = await lockProjectDir();
  await p.config(
    configText(index.url, { default: { packages: ["native"] } }) +
      "targets:\n" +
      "  - {python: '3.11', platform: manylinux_2_28_x86_64}\n" +
      "  - {python: '3.11', platform: win_amd64}\n",
  );
  let r = await p.run(["lock"]);
  assertEquals(r.code, 0, r.stderr);
  const entries = async () =>
    (await p.lock()).environments.default.map((e) => [e.name, e.version, e.marker ?? null]);
  const expected = [
    ["native", "1.0", 'sys_platform == "win32"'],
    ["native", "2.0", 'sys_platform == "linux"'],
  ];
  assertEquals(await entries(), expected);
  r = await p.run(["add", "tool"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals((await p.lock()).targets?.length, 2);
  assertEquals(await entries(), [...expected, ["tool", "1.0", null]]);
  r = await p.run(["upgrade"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals((await p.lock()).targets?.length, 2);
  assertEquals(await entries(), [...expected, ["tool", "1.0", null]]);
  r = await p.run(["check"]);
  assertEquals(r.code, 0, r.stderr);
});
