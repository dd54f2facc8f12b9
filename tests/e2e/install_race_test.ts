// Four installs racing on one store (two projects with overlapping locks) all succeed and leave
// one intact entry per wheel, nothing half-built, nothing left over.
import { assertEquals } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { listEntries } from "../../store/gc.ts";
import { StoreLayout } from "../../store/layout.ts";
import { envknit, makeProject, writeTestLock } from "./install_support.ts";

const shared = await Promise.all(
  Array.from({ length: 8 }, (_, i) =>
    buildWheel({
      name: `shared${i}`,
      version: "1.0",
      files: { [`shared${i}/__init__.py`]: `# ${i}\n`.repeat(4000 + i) },
    })),
);
const onlyA = await buildWheel({ name: "only-a", version: "1.0" });
const onlyB = await buildWheel({ name: "only-b", version: "2.0" });

Deno.test("four installs racing on one store end consistent", async () => {
  await using index = await startIndex({
    projects: Object.fromEntries([...shared, onlyA, onlyB].map((w) => [w.name, [w]])),
    faults: [{ type: "slow", kind: "wheel", delayMs: 10 }],
  });
  await using a = await makeProject();
  await using b = await makeProject();
  const env = { ...b.env, ENVKNIT_HOME: a.home }; // one store for both projects
  await writeTestLock(
    a.lockPath,
    { default: [...shared, onlyA].map((w) => ({ wheels: [w] })) },
    index,
  );
  await writeTestLock(
    b.lockPath,
    { default: [...shared, onlyB].map((w) => ({ wheels: [w] })) },
    index,
  );

  const results = await Promise.all([
    envknit(["install"], { cwd: a.project, env: a.env }),
    envknit(["install"], { cwd: b.project, env }),
    envknit(["install"], { cwd: a.project, env: a.env }),
    envknit(["install"], { cwd: b.project, env }),
  ]);
  for (const r of results) assertEquals(r.code, 0, r.stderr);

  const entries = await listEntries(new StoreLayout(a.home));
  assertEquals(entries.length, shared.length + 2, "one entry per wheel");
  for (const [cwd, e] of [[a.project, a.env], [b.project, env]] as const) {
    const v = await envknit(["verify"], { cwd, env: e });
    assertEquals(v.code, 0, v.stdout + v.stderr);
  }
  const leftovers = await Array.fromAsync(Deno.readDir(`${a.home}/packages/.tmp`)).catch(() => []);
  assertEquals(leftovers.map((e) => e.name), []);
  const projects = await Array.fromAsync(Deno.readDir(`${a.home}/projects`));
  assertEquals(projects.length, 2);
});
