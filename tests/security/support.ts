/**
 * Helpers of the security suite (`tests/security/`): running the CLI and checking that a refusal
 * is what every refusal must be — one `error:` line, exit code 1, no stack trace, no "internal
 * error", and the store exactly as it was — plus measuring a command's peak memory and writing
 * wheels too large to hold in memory.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { crc32, createDeflateRaw } from "node:zlib";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { type CliResult, RUN_FLAGS } from "../support/cli.ts";
import {
  envknit,
  makeProject,
  snapshot,
  type TestProject,
  writeTestLock,
} from "../e2e/install_support.ts";
import { type IndexServer, startIndex } from "../support/index_server.ts";
import { buildWheel, type BuiltWheel } from "../support/wheel_factory.ts";

export { envknit, snapshot };

/** The one `error:` line of a failed command (asserting there is exactly one, and exit 1). */
export function errorLine(r: CliResult): string {
  assertEquals(r.code, 1, `exit code (stderr: ${r.stderr})`);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
  assertEquals(errors.length, 1, r.stderr);
  assert(!r.stderr.includes("internal error"), r.stderr);
  assert(!r.stderr.includes("this is a bug"), r.stderr);
  assert(!/\n\s+at /.test(r.stderr), r.stderr);
  return errors[0];
}

/**
 * Runs `envknit <args>` and asserts it is refused with an error matching `error`, leaving the
 * store (`home`) exactly as it was. Returns the error line.
 */
export async function assertRefused(
  args: string[],
  options: { cwd: string; env: Record<string, string>; home: string },
  error: RegExp,
): Promise<string> {
  const before = await snapshot(options.home);
  const r = await envknit(args, options);
  const line = errorLine(r);
  assertMatch(line, error);
  assertEquals(await snapshot(options.home), before, "the store is exactly as it was");
  return line;
}

const root = new URL("../../", import.meta.url).pathname;

/**
 * Runs `envknit <args>` in-process under a small driver that reports the process's peak resident
 * memory (VmHWM, Linux) once the command is over. Returns the result and the peak in bytes.
 */
export async function runWithPeakMemory(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CliResult & { peakBytes: number }> {
  const peakFile = await Deno.makeTempFile({ prefix: "envknit-peak-" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        ...RUN_FLAGS,
        "--no-lock",
        `${root}tests/security/peak_memory_main.ts`,
        peakFile,
        ...args,
      ],
      cwd: options.cwd,
      env: options.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    const out = await child.output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    const kb = Number((await Deno.readTextFile(peakFile)).trim());
    assert(kb > 0, "the driver reported its peak memory");
    return {
      code: out.code,
      stdout: decode(out.stdout),
      stderr: decode(out.stderr),
      peakBytes: kb * 1024,
    };
  } finally {
    await Deno.remove(peakFile).catch(() => {});
  }
}

/** A wheel written to disk by {@link writeBigWheel}. */
export interface BigWheel {
  filename: string;
  path: string;
  sha256: string;
  size: number;
  name: string;
  version: string;
}

function le(bytes: number, value: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Writes into `dir` a valid wheel `name-version-py3-none-any.whl` (the name a plain lower-case
 * word) whose member `<name>/big.bin` holds `bigSize` zero bytes, deflated (a GiB deflates to
 * about a MiB). It is deflated piece by piece: the test never holds the big member in memory.
 */
export async function writeBigWheel(
  dir: string,
  name: string,
  version: string,
  bigSize: number,
): Promise<BigWheel> {
  // The big member's deflated bytes, its CRC-32 and its RECORD hash.
  const deflate = createDeflateRaw({ level: 9 });
  const compressedParts: Uint8Array[] = [];
  deflate.on("data", (c: Uint8Array) => compressedParts.push(new Uint8Array(c)));
  const ended = new Promise((resolve, reject) => {
    deflate.on("end", resolve);
    deflate.on("error", reject);
  });
  const zeros = new Uint8Array(1 << 20);
  const hash = createHash("sha256");
  let crc = 0;
  for (let left = bigSize; left > 0; left -= zeros.length) {
    const piece = zeros.subarray(0, Math.min(zeros.length, left));
    crc = crc32(piece, crc);
    hash.update(piece);
    if (!deflate.write(piece)) await new Promise((r) => deflate.once("drain", r));
  }
  deflate.end();
  await ended;
  const compressed = concat(compressedParts);
  const bigName = `${name}/big.bin`;

  const enc = new TextEncoder();
  const distInfo = `${name}-${version}.dist-info`;
  const recordHash = (data: Uint8Array) =>
    `sha256=${createHash("sha256").update(data).digest("base64url")}`;
  const small: [string, Uint8Array][] = [
    [`${name}/__init__.py`, enc.encode("")],
    [
      `${distInfo}/METADATA`,
      enc.encode(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`),
    ],
    [
      `${distInfo}/WHEEL`,
      enc.encode(
        "Wheel-Version: 1.0\nGenerator: envknit-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
      ),
    ],
  ];
  const record = [
    `${bigName},sha256=${hash.digest("base64url")},${bigSize}`,
    ...small.map(([p, d]) => `${p},${recordHash(d)},${d.length}`),
    `${distInfo}/RECORD,,`,
  ].join("\n") + "\n";
  small.push([`${distInfo}/RECORD`, enc.encode(record)]);

  const members: { name: string; method: number; crc: number; size: number; data: Uint8Array }[] = [
    { name: bigName, method: 8, crc, size: bigSize, data: compressed },
    ...small.map(([p, d]) => ({ name: p, method: 0, crc: crc32(d), size: d.length, data: d })),
  ];
  const body: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const rawName = enc.encode(m.name);
    const fields = [
      le(2, 20), // version needed
      le(2, 0), // flags
      le(2, m.method),
      le(2, 0), // time
      le(2, 0x21), // date
      le(4, m.crc),
      le(4, m.data.length),
      le(4, m.size),
      le(2, rawName.length),
      le(2, 0), // extra
    ];
    const local = concat([le(4, 0x04034b50), ...fields, rawName]);
    body.push(local, m.data);
    central.push(
      concat([
        le(4, 0x02014b50),
        le(2, (3 << 8) | 20), // made by Unix
        ...fields,
        le(2, 0), // comment
        le(2, 0), // disk
        le(2, 0), // internal attributes
        le(4, 0o100644 * 65536), // external attributes: a regular file
        le(4, offset),
        rawName,
      ]),
    );
    offset += local.length + m.data.length;
  }
  const cd = concat(central);
  const end = concat([
    le(4, 0x06054b50),
    le(2, 0),
    le(2, 0),
    le(2, members.length),
    le(2, members.length),
    le(4, cd.length),
    le(4, offset),
    le(2, 0),
  ]);
  const bytes = concat([...body, cd, end]);
  const filename = `${name}-${version}-py3-none-any.whl`;
  const path = `${dir}/${filename}`;
  await Deno.writeFile(path, bytes);
  return {
    filename,
    path,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    size: bytes.length,
    name,
    version,
  };
}

/** A loopback index and a project, disposed of together. */
export interface IndexAndProject extends AsyncDisposable {
  index: IndexServer;
  p: TestProject;
}

/**
 * A project whose store already holds one installed entry (`baseline`, so "the store is
 * unchanged" is checked on a store that is not empty) and whose lock now adds `wheel`, both
 * served by a new loopback index: the next `install` builds `wheel` alone.
 */
export async function lockAddingToInstalledStore(wheel: BuiltWheel): Promise<IndexAndProject> {
  const baseline = await buildWheel({ name: "baseline", version: "1.0" });
  const index = await startIndex({ projects: { baseline: [baseline], [wheel.name]: [wheel] } });
  const p = await makeProject();
  const dispose = async () => {
    await p[Symbol.asyncDispose]();
    await index[Symbol.asyncDispose]();
  };
  try {
    await writeTestLock(p.lockPath, { default: [{ wheels: [baseline] }] }, index);
    assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
    await writeTestLock(
      p.lockPath,
      { default: [{ wheels: [baseline] }, { wheels: [wheel] }] },
      index,
    );
  } catch (error) {
    await dispose();
    throw error;
  }
  return { index, p, [Symbol.asyncDispose]: dispose };
}
