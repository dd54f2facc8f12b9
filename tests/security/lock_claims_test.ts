// Issue #14.2 (the tool's half) and #14.8 (store identity): what a lock says is checked before the
// store trusts it. An `install_path` must be exactly the store path of its entry (`install`,
// `verify`, `status` and `run` refuse any other, naming the field; none of them follows it); names
// and versions are validated when the lock is read (`/tmp/x`, `../x`); and the store's entries are
// matched by the full sha256 their marker records, not by the 16 hex digits of their folder name,
// so a lock whose sha256 was changed in its last digit is caught. Every failure: one `error:` line,
// exit 1, the store unchanged.
import { assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { writeLock } from "../../project/lock.ts";
import {
  entryDir,
  envknit,
  exists,
  makeProject,
  snapshot,
  type TestProject,
  writeTestLock,
} from "../e2e/install_support.ts";
import { errorLines } from "../e2e/lock_support.ts";

const greeter = await buildWheel({ name: "greeter", version: "1.0" });
const wordlib = await buildWheel({ name: "wordlib", version: "1.0" });

/** Runs the CLI in the project; returns its code and its error lines. */
async function cli(p: TestProject, args: string[]) {
  const r = await envknit(args, { cwd: p.project, env: p.env });
  return { ...r, errors: errorLines(r.stderr) };
}

/** A project with greeter and wordlib locked and installed from a loopback index. */
async function installed(p: TestProject, index: Awaited<ReturnType<typeof startIndex>>) {
  const lock = await writeTestLock(
    p.lockPath,
    { default: [{ wheels: [greeter] }, { wheels: [wordlib] }] },
    index,
  );
  const r = await cli(p, ["install"]);
  assertEquals(r.code, 0, r.stderr);
  return lock;
}

const COMMANDS = [["install"], ["verify"], ["status"], ["run", "--", "true"]];

/** Each command refuses the lock with one error line matching `pattern`; the store is unchanged. */
async function allRefuse(p: TestProject, pattern: RegExp) {
  for (const args of COMMANDS) {
    const before = await snapshot(p.home);
    const r = await cli(p, args);
    assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    assertEquals(r.errors.length, 1, `${args.join(" ")}: ${r.stderr}`);
    assertMatch(r.errors[0], pattern, args.join(" "));
    const store = (lines: string[]) => lines.filter((l) => !l.startsWith("cache/"));
    assertEquals(store(await snapshot(p.home)), store(before), args.join(" "));
  }
}

Deno.test("install_path: only the entry's own store path passes; anything else is refused", async () => {
  await using index = await startIndex({ projects: { greeter: [greeter], wordlib: [wordlib] } });
  await using p = await makeProject();
  const lock = await installed(p, index);
  const pkg = lock.environments.default[0];
  const marker = `${p.dir}/followed`;
  await Deno.mkdir(marker);

  for (
    const hostile of [
      marker, // anywhere
      "/tmp", // anywhere
      entryDir(p.home, wordlib), // another package's entry
      `${p.home}/packages/greeter`, // the package's folder, not its entry
      `${p.home}/packages/greeter/1.0/${"0".repeat(16)}`, // no entry of its wheels
      `${entryDir(p.home, greeter)}/../../../wordlib/1.0`, // climbing out
      "../followed", // relative to the lock's folder
    ]
  ) {
    pkg.installPath = hostile;
    await writeLock(p.lockPath, lock);
    await allRefuse(
      p,
      /^error: .*environments\.default\[0\] \(greeter\)\.install_path: .* is not the store path of greeter 1\.0/,
    );
  }

  // A link into the store that points elsewhere is judged by where it leads.
  await Deno.symlink(marker, `${p.home}/packages/greeter/1.0/${"1".repeat(16)}`);
  pkg.installPath = `${p.home}/packages/greeter/1.0/${"1".repeat(16)}`;
  await writeLock(p.lockPath, lock);
  await allRefuse(p, /install_path: .* is not the store path of greeter 1\.0/);
  await Deno.remove(`${p.home}/packages/greeter/1.0/${"1".repeat(16)}`);

  // The entry's exact store path (absolute or relative to the lock), or its version folder, pass.
  const relative = `../home/packages/greeter/1.0/${greeter.sha256.slice(0, 16)}`;
  for (const ok of [entryDir(p.home, greeter), relative, `${p.home}/packages/greeter/1.0`]) {
    pkg.installPath = ok;
    await writeLock(p.lockPath, lock);
    for (const args of COMMANDS) {
      const r = await cli(p, args);
      assertEquals(r.code, 0, `${ok}: ${args.join(" ")}: ${r.stderr}`);
    }
  }
  // Nothing was ever written where a hostile install_path pointed.
  assertEquals([...Deno.readDirSync(marker)], []);
});

Deno.test("lock names and versions that are paths are refused when the lock is read", async () => {
  await using index = await startIndex({ projects: { greeter: [greeter], wordlib: [wordlib] } });
  await using p = await makeProject();
  await installed(p, index);
  const good = await Deno.readTextFile(p.lockPath);
  const cases: [string, string, RegExp][] = [
    ['name: "greeter"', 'name: "/tmp/x"', /environments\.default\[0\]\.name: "\/tmp\/x" is not/],
    ['name: "greeter"', 'name: "../x"', /environments\.default\[0\]\.name: "\.\.\/x" is not/],
    ['name: "greeter"', `name: "${"a".repeat(300)}"`, /environments\.default\[0\]\.name: /],
    ['version: "1.0"', 'version: "../1.0"', /environments\.default\[0\]\.version: "\.\.\/1\.0"/],
    ['version: "1.0"', 'version: "1.0/../../x"', /\.version: "1\.0\/\.\.\/\.\.\/x" is not/],
  ];
  for (const [from, to, pattern] of cases) {
    await Deno.writeTextFile(p.lockPath, good.replace(from, to));
    await allRefuse(p, pattern);
  }
});

Deno.test("a lock's sha256 changed in its last digit does not pass for the installed entry", async () => {
  await using index = await startIndex({ projects: { greeter: [greeter], wordlib: [wordlib] } });
  await using p = await makeProject();
  await installed(p, index);
  const last = greeter.sha256.at(-1)!;
  const forged = greeter.sha256.slice(0, -1) + (last === "0" ? "1" : "0");
  const text = await Deno.readTextFile(p.lockPath);
  await Deno.writeTextFile(p.lockPath, text.replace(greeter.sha256, forged));
  // Same 16-digit prefix, same folder: only the marker's full sha256 tells them apart.
  assertEquals(await exists(entryDir(p.home, { ...greeter, sha256: forged })), true);

  for (const args of [["install"], ["run", "--", "true"]]) {
    const before = await snapshot(p.home);
    const r = await cli(p, args);
    assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    assertEquals(r.errors.length, 1, r.stderr);
    assertMatch(
      r.errors[0],
      /^error: the store entry of greeter 1\.0 at .* holds the wheel with sha256 [0-9a-f]{64}, not [0-9a-f]{64} as the lock says/,
    );
    assertStringIncludes(r.errors[0], forged);
    const store = (lines: string[]) => lines.filter((l) => !l.startsWith("cache/"));
    assertEquals(store(await snapshot(p.home)), store(before));
  }
  // status does not count it as installed; verify reports the marker.
  const status = await cli(p, ["status"]);
  assertEquals(status.code, 0, status.stderr);
  assertStringIncludes(status.stdout, "missing greeter 1.0");
  const verify = await cli(p, ["verify"]);
  assertEquals(verify.code, 1, verify.stderr);
  assertStringIncludes(verify.stdout, ".envknit-entry.json");
});

Deno.test("a lock's sha256 changed in its last digit fails the download's check, in full", async () => {
  await using index = await startIndex({ projects: { greeter: [greeter] } });
  await using p = await makeProject();
  const forged = greeter.sha256.slice(0, -1) + (greeter.sha256.at(-1) === "0" ? "1" : "0");
  await writeTestLock(
    p.lockPath,
    { default: [{ wheels: [{ ...greeter, sha256: forged }] }] },
    index,
  );
  const before = await snapshot(p.home);
  const r = await cli(p, ["install"]);
  assertEquals(r.code, 1, r.stderr);
  // Both hashes in full: their first 16 digits are the same.
  assertEquals(r.errors, [
    `error: sha256 mismatch for ${greeter.filename}: the lock has ${forged}, the file has ${greeter.sha256}`,
  ]);
  assertEquals(await snapshot(p.home), before);
});
