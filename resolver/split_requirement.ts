/**
 * The one place a PEP 508 requirement string is split in plain JavaScript, without the wasm
 * module: for code that runs for every dependency of every package and only needs the name (and
 * maybe the rest) of requirements that are already known to be valid, or may be skipped when not.
 * Parsing that must validate, normalize or evaluate goes through `parseRequirement` (`./pep.ts`).
 *
 * @module
 */

/** The parts of a requirement string as written: nothing is validated or normalized. */
export interface RequirementParts {
  /** The project name as written (`Foo_Bar`); PEP 503-normalize it to compare. */
  name: string;
  /** The extras between `[` and `]`, trimmed, empty ones left out. */
  extras: string[];
  /** The version specifiers (`>=1,<2`, parentheses removed), `""` for none. */
  specifier: string;
  /** What follows `;`, trimmed, or null when there is no marker. */
  marker: string | null;
}

// name, then optional [extras], then anything up to `;` (specifiers, or `@ url`), then the marker.
const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?/;

/**
 * Splits `requirement` into its {@link RequirementParts}, or returns null when it does not start
 * with a project name, or is a direct URL reference (`name @ https://…`).
 */
export function splitRequirement(requirement: string): RequirementParts | null {
  const m = NAME.exec(requirement);
  if (!m) return null;
  const rest = requirement.slice(m[0].length);
  const semicolon = rest.indexOf(";");
  const spec = (semicolon === -1 ? rest : rest.slice(0, semicolon)).trim();
  if (spec.startsWith("@")) return null;
  const extras = (m[2] ?? "").split(",").map((e) => e.trim()).filter((e) => e);
  return {
    name: m[1],
    extras,
    specifier: spec.replace(/^\((.*)\)$/s, "$1").trim(),
    marker: semicolon === -1 ? null : rest.slice(semicolon + 1).trim(),
  };
}

/** The project name a requirement starts with, as written, or null (see {@link splitRequirement}). */
export function requirementName(requirement: string): string | null {
  return NAME.exec(requirement)?.[1] ?? null;
}
