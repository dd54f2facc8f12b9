/**
 * `packaging` as the oracle of multi-target resolutions and locks: `target_oracle.py` checks,
 * target by target, that what applies there (a solution, or the entries whose marker holds) is a
 * solution of the requirements, with `packaging` judging every marker, specifier,
 * Requires-Python and wheel tag. See the Python file for the checks.
 *
 * @module
 */
import { runPython } from "./python.ts";
import type { MarkerEnvironment } from "../../resolver/pep.ts";

/** One version of a project as the oracle needs it. */
export interface OracleRelease {
  requires_dist: string[];
  requires_python: string | null;
  /** Its wheels' file names, to check that one fits each target (with `platforms`). */
  wheels?: string[];
}

/** One target: its marker environment, its Python, and its platform tags (optional). */
export interface OracleTarget {
  env: MarkerEnvironment;
  python: string;
  platforms?: string[];
}

/** A package of a solution or an entry of a lock. */
export interface OraclePackage {
  name: string;
  version: string;
  extras?: string[];
  marker?: string | null;
  dependencies?: string[];
  wheels?: string[];
}

/** What to check. */
export interface OracleCase {
  requirements: string[];
  requires_python?: string | null;
  /** name → version → release. */
  index: Record<string, Record<string, OracleRelease>>;
  targets: OracleTarget[];
  /** One solution per target, or … */
  solutions?: OraclePackage[][];
  /** … the lock's entries, chosen per target by their markers. */
  entries?: OraclePackage[];
}

const SCRIPT = new URL("./target_oracle.py", import.meta.url).pathname;

/** The problems `packaging` finds (none: every target gets a solution). */
export async function oracleProblems(c: OracleCase): Promise<string[]> {
  const out = await runPython(null, [SCRIPT], { stdin: JSON.stringify(c) });
  return (JSON.parse(out.stdout) as { problems: string[] }).problems;
}

/** The problems `packaging` finds in each case, in one Python process. */
export async function oracleProblemsEach(cases: OracleCase[]): Promise<string[][]> {
  if (cases.length === 0) return [];
  const out = await runPython(null, [SCRIPT], { stdin: JSON.stringify(cases) });
  return (JSON.parse(out.stdout) as { problems: string[] }[]).map((c) => c.problems);
}
