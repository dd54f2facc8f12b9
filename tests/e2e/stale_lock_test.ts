// Run and install follow the project (#15.4): when envknit.yaml changed since the lock (or there
// is no lock yet), `run` and `install` lock first, saying so in one line, then install what is
// missing; `--locked` makes a stale lock an error (exit 1, nothing changed); `--frozen` uses the
// lock as it is; `status` reports a stale lock; a fresh lock is used without a word.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { configText, lockProjectDir } from "./lock_support.ts";

const alpha = await buildWheel({ name: "alpha", version: "1.0" });
const beta = await buildWheel({ name: "beta", version: "1.0" });
const LINE = "envknit.yaml changed since envknit.lock.yaml was written: locking first";

Deno.test("stale lock: run and install lock first; --locked fails; --frozen uses the lock", async () => {
  await using index = await startIndex({ projects: { alpha: [alpha], beta: [beta] } });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["alpha"] } }));

  // No lock yet: run locks, installs, runs.
  const first = await p.run(["run", "--", "python", "-c", "import alpha; print('ok')"]);
  assertEquals([first.code, first.stdout], [0, "ok\n"], first.stderr);
  assertStringIncludes(first.stderr, "there is no envknit.lock.yaml");
  assertStringIncludes(first.stderr, "locking first");
  assert((await p.lockText()) !== null);

  // Fresh: nothing said.
  const fresh = await p.run(["run", "--", "python", "-c", "import alpha"]);
  assertEquals([fresh.code, fresh.stderr], [0, ""]);
  const status = await p.run(["status"]);
  assert(!status.stdout.includes("stale"), status.stdout);

  // envknit.yaml changes.
  await p.config(configText(index.url, { default: { packages: ["alpha", "beta"] } }));
  const before = await p.lockText();
  const stale = await p.run(["status", "--json"]);
  assertEquals(
    JSON.parse(stale.stdout).stale,
    "envknit.yaml changed since envknit.lock.yaml was written",
  );
  const staleText = await p.run(["status"]);
  assertStringIncludes(
    staleText.stdout,
    "(stale: envknit.yaml changed since envknit.lock.yaml was written)",
  );

  // --locked: an error, exit 1, the lock unchanged.
  const locked = await p.run(["run", "--locked", "--", "python", "-c", "pass"]);
  assertEquals(locked.code, 1);
  assertEquals(
    locked.stderr.split("\n").filter((l) => l.startsWith("error:")),
    ["error: envknit.yaml changed since envknit.lock.yaml was written (--locked)"],
  );
  assertEquals(await p.lockText(), before);
  const installLocked = await p.run(["install", "--locked"]);
  assertEquals(installLocked.code, 1);
  assertEquals(await p.lockText(), before);

  // --frozen: the lock as it is (beta is not in it).
  const frozen = await p.run(["run", "--frozen", "--", "python", "-c", "import beta"]);
  assertEquals(frozen.code, 1);
  assertStringIncludes(frozen.stderr, "No module named 'beta'");
  assert(!frozen.stderr.includes("locking first"));
  assertEquals(await p.lockText(), before);

  // By default: one line, lock, install beta, run.
  const run = await p.run(["run", "--", "python", "-c", "import alpha, beta; print('both')"]);
  assertEquals([run.code, run.stdout], [0, "both\n"], run.stderr);
  assertEquals(run.stderr, `${LINE}\n`);
  assert((await p.lockText())!.includes('"beta"'));

  // install follows as well.
  await p.config(configText(index.url, { default: { packages: ["beta"] } }));
  const install = await p.run(["install"]);
  assertEquals(install.code, 0, install.stderr);
  assertStringIncludes(install.stderr, LINE);
  assert(!(await p.lockText())!.includes('"alpha"'));
  const check = await p.run(["check"]);
  assertEquals(check.code, 0, check.stderr);

  // --locked and --frozen together: a usage error.
  const both = await p.run(["run", "--locked", "--frozen", "--", "python", "-c", "pass"]);
  assertEquals(both.code, 2);
});
