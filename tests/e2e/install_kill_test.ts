// An install killed with SIGKILL at random moments never leaves a visible partial entry (nor a
// cached wheel that is not what its name says), and the next install completes.
import { createHash } from "node:crypto";
import { assert, assertEquals } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel, type BuiltWheel } from "../support/wheel_factory.ts";
import { verifyEntry } from "../../store/verify.ts";
import { envknit, makeProject, writeTestLock } from "./install_support.ts";
import { MAIN } from "../support/cli.ts";

/** Bytes that compress a little, like real code: words with some noise. */
function filler(seed: number, size: number): string {
  const words = ["import", "def", "return", "self", "class", "value", "None", "for", "in", "x"];
  let s = "";
  let n = seed;
  while (s.length < size) {
    n = (n * 1103515245 + 12345) & 0x7fffffff;
    s += words[n % words.length] + (n % 7 === 0 ? "\n" : " ") + (n % 1000).toString(36);
  }
  return s;
}

const wheels: BuiltWheel[] = await Promise.all(
  Array.from({ length: 16 }, (_, i) =>
    buildWheel({
      name: `pkg${i}`,
      version: "1.0",
      files: Object.fromEntries(
        Array.from({ length: 12 }, (_, j) => [`pkg${i}/m${j}.py`, filler(i * 100 + j, 12_000)]),
      ),
      entryPoints: { console_scripts: { [`pkg${i}-cmd`]: `pkg${i}.m0:main` } },
    })),
);

/** Every entry visible in the store is complete and intact; every cached wheel is its hash. */
async function assertConsistent(home: string): Promise<number> {
  let entries = 0;
  for (const w of wheels) {
    const dir = `${home}/packages/${w.name}/1.0/${w.sha256.slice(0, 16)}`;
    if (!(await Deno.stat(dir).then(() => true, () => false))) continue;
    entries++;
    const { problems } = await verifyEntry(dir, { name: w.name, version: "1.0", sha256: w.sha256 });
    assertEquals(problems, [], `entry ${dir} is partial or damaged`);
  }
  const cached = await Array.fromAsync(Deno.readDir(`${home}/cache/wheels`)).catch(() => []);
  for (const e of cached) {
    if (!e.name.endsWith(".whl")) continue;
    const bytes = await Deno.readFile(`${home}/cache/wheels/${e.name}`);
    assertEquals(`${createHash("sha256").update(bytes).digest("hex")}.whl`, e.name);
  }
  return entries;
}

Deno.test("install killed with SIGKILL at random moments: no partial entry, next install completes", async () => {
  await using index = await startIndex({
    projects: Object.fromEntries(wheels.map((w) => [w.name, [w]])),
    // A little latency per wheel so kills land in every phase (download, unpack, commit).
    faults: [{ type: "slow", kind: "wheel", delayMs: 5, trickleMs: 1, chunkSize: 32768 }],
  });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, { default: wheels.map((w) => ({ wheels: [w] })) }, index);
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-lock", MAIN, "install"],
      cwd: p.project,
      env: p.env,
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const delay = Math.floor(Math.random() * 450);
    delays.push(delay);
    await new Promise((r) => setTimeout(r, delay));
    try {
      child.kill("SIGKILL");
    } catch {
      // it had already finished
    }
    await child.status;
    await assertConsistent(p.home).catch((error) => {
      throw new Error(`after kills at ${delays.join(", ")} ms: ${error.message}`);
    });
    // Start over from an empty store now and then, so early moments are hit again too.
    if (i % 3 === 2) await Deno.remove(`${p.home}/packages`, { recursive: true }).catch(() => {});
  }
  const r = await envknit(["install"], { cwd: p.project, env: p.env });
  assertEquals(r.code, 0, `after kills at ${delays.join(", ")} ms: ${r.stderr}`);
  assertEquals(await assertConsistent(p.home), wheels.length);
  const v = await envknit(["verify"], { cwd: p.project, env: p.env });
  assertEquals(v.code, 0, v.stdout + v.stderr);
  // The installer that found itself alone removed what the killed ones left.
  const leftovers = await Array.fromAsync(Deno.readDir(`${p.home}/packages/.tmp`)).catch(() => []);
  assertEquals(leftovers.length, 0);
  assert(!(await Deno.stat(`${p.home}/cache/wheels/.tmp`).then(() => true, () => false)));
});
