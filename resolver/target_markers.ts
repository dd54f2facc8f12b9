/**
 * PEP 508 markers that tell a lock's targets apart (project/LOCK_FORMAT.md, Targets).
 *
 * A lock made for several targets (each a concrete marker environment) marks an entry that
 * applies to some of them only with a marker that holds on those targets and on no other listed
 * target. The marker uses the fewest variables that separate the two groups (then the fewest
 * alternatives), preferring `python_version`, `sys_platform`, `platform_machine` (then the other
 * PEP 508 variables, for targets that differ elsewhere, as packse's scenarios do), and only `==`
 * comparisons, so it holds on no machine outside the listed targets that differs from them in one
 * of those variables. It is written in `packaging`'s normal form (`python_version == "3.12" and
 * sys_platform == "win32"`, `sys_platform == "linux" and (python_version == "3.11" or
 * python_version == "3.13")`).
 *
 * Pure functions of the targets' marker environments: no wasm, no I/O.
 *
 * @module
 */
import type { MarkerEnvironment } from "./pep.ts";

/** One PEP 508 environment variable. */
export type MarkerVariable = keyof MarkerEnvironment;

/** The variables a marker may use to tell targets apart, the preferred ones first. */
export const TARGET_VARIABLES: readonly MarkerVariable[] = [
  "python_version",
  "sys_platform",
  "platform_machine",
  "implementation_name",
  "os_name",
  "platform_system",
  "platform_python_implementation",
  "python_full_version",
  "implementation_version",
  "platform_release",
  "platform_version",
];

/** Two targets whose marker environments are the same: no marker can tell them apart. */
export class IndistinguishableTargets extends Error {
  constructor(readonly first: number, readonly second: number) {
    super(
      `targets ${first + 1} and ${second + 1} have the same marker environment: no marker can ` +
        "tell their entries apart",
    );
    this.name = "IndistinguishableTargets";
  }
}

/** A value quoted as `packaging` prints it (`"x"`; `'x'` when it holds a `"`), or null. */
function quote(value: string): string | null {
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  return null;
}

/** Variables that can be written in a marker and whose values differ among `indices`. */
function usableVariables(envs: readonly MarkerEnvironment[], indices: number[]): MarkerVariable[] {
  return TARGET_VARIABLES.filter((v) =>
    indices.every((i) => quote(envs[i][v]) !== null) &&
    new Set(indices.map((i) => envs[i][v])).size > 1
  );
}

/** Subsets of `items` of size `k`, in lexicographic order of their positions. */
function* combinations<T>(items: readonly T[], k: number, from = 0): Generator<T[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= items.length - k; i++) {
    for (const rest of combinations(items, k - 1, i + 1)) yield [items[i], ...rest];
  }
}

function key(env: MarkerEnvironment, vars: readonly MarkerVariable[]): string {
  return JSON.stringify(vars.map((v) => env[v]));
}

/**
 * The fewest variables (the preferred ones first) whose values tell every target of `inside`
 * from every target of `outside`; `[]` when `outside` is empty.
 *
 * @throws {IndistinguishableTargets} when a target of each has the same environment
 */
export function separatingVariables(
  envs: readonly MarkerEnvironment[],
  inside: readonly number[],
  outside: readonly number[],
): MarkerVariable[] {
  if (outside.length === 0 || inside.length === 0) return [];
  const candidates = usableVariables(envs, [...inside, ...outside]);
  for (let k = 1; k <= candidates.length; k++) {
    // Among as many variables, the ones that need the fewest alternatives (`sys_platform ==
    // "linux"` rather than `python_version == "3.11" or python_version == "3.13"`).
    let best: { vars: MarkerVariable[]; rows: number } | null = null;
    for (const vars of combinations(candidates, k)) {
      const outsideKeys = new Set(outside.map((i) => key(envs[i], vars)));
      const insideKeys = new Set(inside.map((i) => key(envs[i], vars)));
      if ([...insideKeys].some((x) => outsideKeys.has(x))) continue;
      if (best === null || insideKeys.size < best.rows) best = { vars, rows: insideKeys.size };
    }
    if (best) return best.vars;
  }
  for (const i of inside) {
    for (const j of outside) {
      if (key(envs[i], candidates) === key(envs[j], candidates)) {
        throw new IndistinguishableTargets(Math.min(i, j), Math.max(i, j));
      }
    }
  }
  /* c8 ignore next: separated on every candidate variable means separated by all of them */
  throw new IndistinguishableTargets(inside[0], outside[0]);
}

function atom(variable: MarkerVariable, value: string): string {
  return `${variable} == ${quote(value)}`;
}

/**
 * The marker of a set of value tuples (one per target): the common values first, then the
 * groups by the first remaining variable. `top` says whether an `or` needs no parentheses.
 */
function expression(
  rows: readonly (readonly string[])[],
  vars: readonly MarkerVariable[],
  top: boolean,
): string {
  const unique = [...new Map(rows.map((r) => [JSON.stringify(r), r])).values()];
  const common: string[] = [];
  const rest: number[] = [];
  vars.forEach((v, i) => {
    if (unique.every((r) => r[i] === unique[0][i])) common.push(atom(v, unique[0][i]));
    else rest.push(i);
  });
  if (rest.length === 0) return common.join(" and ");
  const first = rest[0];
  const groups = new Map<string, (readonly string[])[]>();
  for (const r of unique) groups.set(r[first], [...(groups.get(r[first]) ?? []), r]);
  const others = rest.slice(1);
  const alternatives = [...groups.entries()].map(([value, group]) => {
    if (others.length === 0) return atom(vars[first], value);
    const inner = expression(
      group.map((r) => others.map((i) => r[i])),
      others.map((i) => vars[i]),
      false,
    );
    const conj = [atom(vars[first], value), inner].join(" and ");
    return `(${conj})`;
  });
  const disjunction = alternatives.length === 1
    ? alternatives[0].replace(/^\((.*)\)$/, "$1")
    : alternatives.join(" or ");
  if (common.length === 0) {
    return top || alternatives.length === 1 ? disjunction : `(${disjunction})`;
  }
  return [...common, alternatives.length === 1 ? disjunction : `(${disjunction})`].join(" and ");
}

/**
 * The marker that holds on the targets `subset` and on no other target of `universe` (default:
 * every target), or null when `subset` is all of `universe` (no marker needed).
 *
 * @throws {IndistinguishableTargets} when a target in `subset` and one outside it have the same
 * environment
 */
export function markerFor(
  envs: readonly MarkerEnvironment[],
  subset: readonly number[],
  universe: readonly number[] = envs.map((_, i) => i),
): string | null {
  const inside = [...new Set(subset)].filter((i) => universe.includes(i)).sort((a, b) => a - b);
  const outside = universe.filter((i) => !inside.includes(i));
  if (outside.length === 0) return null;
  if (inside.length === 0) {
    throw new RangeError("markerFor: an empty subset has no marker (it applies nowhere)");
  }
  const vars = separatingVariables(envs, inside, outside);
  return expression(inside.map((i) => vars.map((v) => envs[i][v])), vars, true);
}

/**
 * The marker of each target: `var == "value"` for the fewest variables that tell every listed
 * target from every other (at least `python_version`, so a one-target lock names its Python).
 *
 * @throws {IndistinguishableTargets} when two targets have the same environment
 */
export function targetMarkers(envs: readonly MarkerEnvironment[]): string[] {
  const all = envs.map((_, i) => i);
  const candidates = usableVariables(envs, all);
  let vars: MarkerVariable[] | null = envs.length <= 1 ? [] : null;
  for (let k = 1; vars === null && k <= candidates.length; k++) {
    for (const combo of combinations(candidates, k)) {
      if (new Set(envs.map((e) => key(e, combo))).size === envs.length) {
        vars = combo;
        break;
      }
    }
  }
  if (vars === null) {
    const seen = new Map<string, number>();
    envs.forEach((e, i) => {
      const k = key(e, candidates);
      if (seen.has(k)) throw new IndistinguishableTargets(seen.get(k)!, i);
      seen.set(k, i);
    });
    throw new IndistinguishableTargets(0, 1);
  }
  if (vars.length === 0) vars = ["python_version"];
  const order = TARGET_VARIABLES.filter((v) => vars!.includes(v));
  return envs.map((e) => order.map((v) => atom(v, e[v])).join(" and "));
}
