import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "../../tests/support/assert.ts";
import { configHash, loadConfig } from "../../project/config.ts";
import {
  lockEntry,
  type TempProject,
  tempProject,
  writeTestLock,
} from "../../tests/support/commands.ts";

function statusOf(stdout: string, check: string): string {
  const line = stdout.split("\n").find((l) => l.split(/\s+/)[1] === check);
  return line?.split(/\s+/)[0] ?? "(no line)";
}

async function currentLock(p: TempProject, packages = 0) {
  const hash = await configHash(await loadConfig(`${p.dir}/envknit.yaml`));
  const entries = [];
  for (let i = 0; i < packages; i++) entries.push(await lockEntry(`pkg${i}`, "1.0"));
  await writeTestLock(p, { default: entries }, { configHash: hash });
}

Deno.test("envknit doctor: one line per check, exit 0 when nothing fails", async () => {
  const p = await tempProject("environments:\n  default:\n    packages: []\n");
  try {
    await currentLock(p);
    const r = await p.run(["doctor"]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    const checks = r.stdout.split("\n").filter((l) => /^(ok|warning|problem)/.test(l));
    assertEquals(checks.map((l) => l.split(/\s+/)[1]), [
      "deno",
      "python",
      "store",
      "runtime",
      "envknit.yaml",
      "lock",
      "installed",
    ]);
    assertEquals(statusOf(r.stdout, "deno"), "ok");
    assertMatch(
      r.stdout,
      /ok +python \(default\) +\S+ \(CPython 3\.\d+ on \S+; from ENVKNIT_PYTHON\)/,
    );
    assertStringIncludes(r.stdout, `${p.home} is writable`);
    // Nothing has written the runtime into this new store yet: a warning with a hint.
    assertEquals(statusOf(r.stdout, "runtime"), "warning");
    assertStringIncludes(r.stdout, "hint: 'envknit install' or 'envknit run' writes it");
    assertEquals(statusOf(r.stdout, "lock"), "ok");
    assertEquals(statusOf(r.stdout, "installed"), "ok");

    // `envknit run` writes the runtime; then every check is ok.
    const run = await p.run(["run", "--", "python", "-c", "pass"]);
    assertEquals(run.code, 0, run.stderr);
    const json = await p.run(["doctor", "--json"]);
    assertEquals(json.code, 0, json.stderr);
    const data = JSON.parse(json.stdout) as { checks: { check: string; status: string }[] };
    assertEquals(data.checks.map((c) => c.status), data.checks.map(() => "ok"));
  } finally {
    await p.dispose();
  }
});

Deno.test("envknit doctor finds problems: packages not installed, stale lock, bad config, no Python, read-only store", async () => {
  const p = await tempProject("environments:\n  default:\n    packages: [pkg0]\n");
  try {
    await currentLock(p, 2);
    let r = await p.run(["doctor"]);
    assertEquals(r.code, 1, r.stdout);
    assertEquals(statusOf(r.stdout, "installed"), "problem");
    assertStringIncludes(
      r.stdout,
      "2 of 2 locked packages are not in the store: pkg0 1.0, pkg1 1.0",
    );
    assertStringIncludes(r.stdout, "hint: run 'envknit install'");

    await p.write("envknit.yaml", "environments:\n  default:\n    packages: [pkg0, pkg1]\n");
    r = await p.run(["doctor"]);
    assertEquals(statusOf(r.stdout, "lock"), "problem");
    assertStringIncludes(r.stdout, "is out of date: envknit.yaml changed since");

    await p.write("envknit.yaml", "environments:\n  default:\n    packages: ['pkg0 >=< 1']\n");
    r = await p.run(["doctor"]);
    assertEquals(statusOf(r.stdout, "envknit.yaml"), "problem");
    assertStringIncludes(r.stdout, 'invalid requirements: default: "pkg0 >=< 1"');

    r = await p.run(["doctor"], { env: { ENVKNIT_PYTHON: `${p.dir}/no-such-python` } });
    assertEquals(r.code, 1);
    assertEquals(statusOf(r.stdout, "python"), "problem");

    const file = `${p.dir}/not-a-folder`;
    await Deno.writeTextFile(file, "");
    r = await p.run(["doctor"], { env: { ENVKNIT_HOME: file } });
    assertEquals(r.code, 1);
    assertEquals(statusOf(r.stdout, "store"), "problem");
    assertStringIncludes(r.stdout, "hint: set ENVKNIT_HOME to a folder you can write");
  } finally {
    await p.dispose();
  }
});

Deno.test("envknit doctor outside a project: the project checks are warnings", async () => {
  const p = await tempProject();
  try {
    const r = await p.run(["doctor"]);
    assertEquals(r.code, 0, r.stdout);
    assertEquals(statusOf(r.stdout, "envknit.yaml"), "warning");
    assertEquals(statusOf(r.stdout, "lock"), "warning");
    assert(!r.stdout.includes("installed"), r.stdout);
  } finally {
    await p.dispose();
  }
});
