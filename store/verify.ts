/**
 * What `envknit verify` does to the entries of a lock (`ops/verify.ts` names them): rehash what is
 * installed and compare it with what was written. Each entry's RECORD (rewritten at install time
 * to list every file of the entry with its sha256 and size) is the reference; a file whose bytes
 * differ is *changed*, one that is gone *missing*, one that no RECORD row names *extra*. The
 * marker must still name the wheel asked for.
 *
 * Python writes bytecode caches next to the modules it imports (`__pycache__/*.pyc`); those are
 * not part of the install and are not reported.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { parseRecord } from "./install/record.ts";
import { ENTRY_MARKER, type StoreLayout } from "./layout.ts";
import type { StorePackage } from "./packages.ts";

/** One difference found. */
export interface VerifyProblem {
  /** `changed`, `missing` or `extra` file; `absent` entry (not installed at all). */
  kind: "changed" | "missing" | "extra" | "absent";
  /** `name version`. */
  package: string;
  /** The file's path inside the entry, or the entry folder for `absent`. */
  path: string;
  /** The entry folder. */
  entry: string;
}

/** The outcome of {@link verifyPackages}. */
export interface VerifyResult {
  /** Entries checked. */
  entries: number;
  /** Files rehashed. */
  files: number;
  /** Every difference found (none: the entries are as installed). */
  problems: VerifyProblem[];
}

async function hashFile(path: string): Promise<{ digest: string; size: number } | null> {
  let data: Uint8Array;
  try {
    data = await Deno.readFile(path);
  } catch {
    return null;
  }
  return { digest: createHash("sha256").update(data).digest("base64url"), size: data.length };
}

/** Every file and link under `dir`, as relative paths; links are also added to `links`. */
async function walkFiles(dir: string, links: Set<string>, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = `${prefix}${e.name}`;
    if (e.isSymlink) links.add(rel);
    if (e.isDirectory) out.push(...await walkFiles(`${dir}/${e.name}`, links, `${rel}/`));
    else out.push(rel);
  }
  return out;
}

const BYTECODE = /(^|\/)__pycache__\/[^/]+\.pyc$/;

/**
 * Checks one entry against its RECORD and marker. `expected` is what the lock says the entry is.
 */
export async function verifyEntry(
  dir: string,
  expected: { name: string; version: string; sha256: string },
): Promise<{ files: number; problems: VerifyProblem[] }> {
  const pkg = `${expected.name} ${expected.version}`;
  const problems: VerifyProblem[] = [];
  const report = (kind: VerifyProblem["kind"], path: string) =>
    problems.push({ kind, package: pkg, path, entry: dir });

  let marker: { sha256?: unknown; name?: unknown; version?: unknown } | null = null;
  try {
    marker = JSON.parse(await Deno.readTextFile(`${dir}/${ENTRY_MARKER}`));
  } catch (error) {
    report(error instanceof Deno.errors.NotFound ? "missing" : "changed", ENTRY_MARKER);
  }
  if (
    marker && (marker.sha256 !== expected.sha256 || marker.name !== expected.name ||
      marker.version !== expected.version)
  ) {
    report("changed", ENTRY_MARKER);
  }

  // envknit never installs links: one found in an entry was put there afterwards.
  const links = new Set<string>();
  const all = await walkFiles(dir, links);
  const distInfos = [...new Set(all.map((p) => p.split("/")[0]))].filter((top) =>
    top.endsWith(".dist-info")
  );
  const recorded = new Set<string>([ENTRY_MARKER]);
  let files = 0;
  let recordPath: string | null = null;
  for (const distInfo of distInfos) {
    const candidate = `${distInfo}/RECORD`;
    if (all.includes(candidate)) recordPath = candidate;
  }
  if (recordPath === null) {
    report("missing", distInfos.length ? `${distInfos[0]}/RECORD` : "*.dist-info/RECORD");
  } else {
    recorded.add(recordPath);
    const rows = parseRecord(await Deno.readTextFile(`${dir}/${recordPath}`).catch(() => "")) ??
      [];
    for (const row of rows) {
      if (row.path === recordPath) continue;
      recorded.add(row.path);
      files++;
      const actual = await hashFile(`${dir}/${row.path}`);
      if (links.has(row.path)) report("changed", row.path);
      else if (actual === null) report("missing", row.path);
      else if (
        row.algorithm !== "sha256" || actual.digest !== row.digest ||
        (row.size !== null && row.size !== actual.size)
      ) {
        report("changed", row.path);
      }
    }
  }
  for (const path of all) {
    if (!recorded.has(path) && !BYTECODE.test(path)) report("extra", path);
  }
  return { files, problems };
}

/**
 * Verifies the entries of some package versions: every installed wheel of each (a version with
 * none installed is reported `absent`).
 */
export async function verifyPackages(
  packages: readonly StorePackage[],
  layout: StoreLayout,
): Promise<VerifyResult> {
  const result: VerifyResult = { entries: 0, files: 0, problems: [] };
  for (const pkg of packages) {
    let found = 0;
    for (const wheel of pkg.wheels) {
      const dir = layout.entryDir(pkg.name, pkg.version, wheel.sha256);
      try {
        await Deno.stat(dir);
      } catch {
        continue;
      }
      found++;
      result.entries++;
      const { files, problems } = await verifyEntry(dir, { ...pkg, sha256: wheel.sha256 });
      result.files += files;
      result.problems.push(...problems);
    }
    if (found === 0) {
      result.problems.push({
        kind: "absent",
        package: `${pkg.name} ${pkg.version}`,
        path: layout.versionDir(pkg.name, pkg.version),
        entry: layout.versionDir(pkg.name, pkg.version),
      });
    }
  }
  return result;
}
