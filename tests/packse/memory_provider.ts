/**
 * A packse scenario as an in-memory {@link ResolverProvider}, and the scenario's resolution target.
 *
 * Which files of a version can be used is decided in one place, {@link fileUse}: envknit installs
 * wheels only, so a version is usable when one of its wheels fits the target (tags checked with
 * `store/tags`, exactly as the index provider does). For packse's own semantics (used to tell
 * which expected answers need an sdist), a buildable sdist also makes a version usable.
 *
 * @module
 */
import type {
  CandidateVersion,
  MarkerEnvironment,
  ResolveRequest,
  ResolverProvider,
  VersionMetadata,
} from "../../resolver/mod.ts";
import {
  type Interpreter,
  interpreterFromTarget,
  unavailableReason,
} from "../../store/tags/mod.ts";
import { normalizeName } from "../../core/names.ts";
import { filenameName } from "../support/names.ts";
import { type PackseScenario, type PackseVersion, requiresDist } from "../support/packse.ts";

/** The platform a scenario resolves for when it names none (uv's default Linux target). */
export const DEFAULT_PLATFORM = "x86_64-unknown-linux-gnu";

/** What a scenario resolves for. */
export interface ScenarioTarget {
  /** `[resolver_options] python`, else `[environment] python`. */
  python: string;
  /** `[resolver_options] python_platform`, else {@link DEFAULT_PLATFORM}. */
  platform: string;
  interpreter: Interpreter;
  environment: MarkerEnvironment;
  /**
   * Whether wheel tags are checked. A universal scenario with no `python_platform` has no single
   * target platform (packse resolves it for every platform at once), so any wheel counts there;
   * its markers are still evaluated for the default target.
   */
  checkTags: boolean;
}

/** The target of a scenario. */
export function scenarioTarget(scenario: PackseScenario): ScenarioTarget {
  const options = scenario.resolverOptions;
  const python = options.python ?? scenario.environment.python;
  const platform = options.pythonPlatform ?? DEFAULT_PLATFORM;
  const interpreter = interpreterFromTarget({ pythonVersion: python, platform });
  return {
    python,
    platform,
    interpreter,
    environment: interpreter.markers,
    checkTags: !(options.universal && options.pythonPlatform === null),
  };
}

/** The request that resolves a scenario's root for its target. */
export function scenarioRequest(scenario: PackseScenario, target: ScenarioTarget): ResolveRequest {
  const prereleases = scenario.resolverOptions.prereleases;
  return {
    requirements: scenario.root.requires,
    environment: target.environment,
    requiresPython: scenario.root.requiresPython,
    prereleases: prereleases === null
      ? "if-necessary-or-explicit"
      : prereleases
      ? "allow"
      : "disallow",
  };
}

function listed(names: string[], name: string): boolean {
  return names.some((n) => n === ":all:" || normalizeName(n) === normalizeName(name));
}

/** The file names of a version as an index would list them. */
export function fileNames(name: string, v: PackseVersion): string[] {
  const base = `${filenameName(name)}-${v.version}`;
  const out = v.wheel ? v.wheelTags.map((tag) => `${base}-${tag}.whl`) : [];
  if (v.sdist) out.push(`${base}.tar.gz`);
  return out;
}

/** How a version's files serve the target. */
export interface FileUse {
  /** Why no wheel of it can be installed (null when one can). */
  noWheel: string | null;
  /** Whether packse's resolver could use an sdist of it instead (sdist present, building allowed). */
  buildable: boolean;
}

/** The one place that decides whether a version has a usable wheel for the target. */
export function fileUse(
  scenario: PackseScenario,
  target: ScenarioTarget,
  name: string,
  v: PackseVersion,
): FileUse {
  const options = scenario.resolverOptions;
  const buildable = v.sdist && !listed(options.noBuild, name);
  if (listed(options.noBinary, name)) {
    return {
      noWheel: "its wheels are disabled by no_binary, and envknit installs wheels only",
      buildable,
    };
  }
  const files = fileNames(name, v);
  let noWheel: string | null;
  if (!target.checkTags) {
    noWheel = v.wheel && v.wheelTags.length > 0
      ? null
      : unavailableReason(files, target.interpreter);
  } else {
    noWheel = unavailableReason(files, target.interpreter);
  }
  return { noWheel, buildable };
}

/** Options of {@link ScenarioProvider}. */
export interface ScenarioProviderOptions {
  /** Packse's semantics: a version with a buildable sdist is usable too (default false). */
  sdists?: boolean;
  /**
   * uv's reading of `Requires-Python` for a concrete Python: lower bounds only (packse's
   * expectations assume it; default false: envknit counts the whole specifier, as pip does).
   */
  lowerBoundsOnly?: boolean;
}

/**
 * The lower bounds of a `Requires-Python` specifier, as uv reads it for a concrete Python
 * (`>=3.8, <3.11` → `>=3.8`; `<=3.8` → any; `~=3.8` → `>=3.8`; `==3.8.*` → `>=3.8`).
 */
export function lowerBoundsOnly(spec: string): string {
  const kept: string[] = [];
  for (const clause of spec.split(",").map((c) => c.trim()).filter((c) => c !== "")) {
    const m = /^(~=|===|==|>=|>|<=|<|!=)\s*(.+)$/.exec(clause);
    if (!m) {
      kept.push(clause);
      continue;
    }
    const version = m[2].replace(/\.\*$/, "");
    if (m[1] === ">=" || m[1] === ">") kept.push(`${m[1]}${version}`);
    else if (m[1] === "~=" || m[1] === "==" || m[1] === "===") kept.push(`>=${version}`);
  }
  return kept.join(", ");
}

/** A scenario's packages served from memory. */
export class ScenarioProvider implements ResolverProvider {
  readonly #scenario: PackseScenario;
  readonly #target: ScenarioTarget;
  readonly #sdists: boolean;
  readonly #lowerBoundsOnly: boolean;
  readonly #packages = new Map<string, [string, Record<string, PackseVersion>]>();

  constructor(
    scenario: PackseScenario,
    target: ScenarioTarget,
    options: ScenarioProviderOptions = {},
  ) {
    this.#scenario = scenario;
    this.#target = target;
    this.#sdists = options.sdists ?? false;
    this.#lowerBoundsOnly = options.lowerBoundsOnly ?? false;
    for (const [name, versions] of Object.entries(scenario.packages)) {
      this.#packages.set(normalizeName(name), [name, versions]);
    }
  }

  listVersions(name: string): Promise<CandidateVersion[] | null> {
    const entry = this.#packages.get(normalizeName(name));
    if (!entry) return Promise.resolve(null);
    const [bare, versions] = entry;
    return Promise.resolve(
      Object.values(versions).map((v) => {
        const use = fileUse(this.#scenario, this.#target, bare, v);
        const usable = use.noWheel === null || (this.#sdists && use.buildable);
        return {
          version: v.version,
          yanked: v.yanked,
          requiresPython: this.#python(v.requiresPython),
          unavailable: usable ? null : use.noWheel,
        };
      }),
    );
  }

  getMetadata(name: string, version: string): Promise<VersionMetadata> {
    const entry = this.#packages.get(normalizeName(name));
    const v = entry?.[1][version];
    if (!v) return Promise.reject(new Error(`${name} ${version} is not in the scenario`));
    return Promise.resolve({
      requiresDist: requiresDist(v),
      requiresPython: this.#python(v.requiresPython),
    });
  }

  #python(spec: string): string {
    return this.#lowerBoundsOnly ? lowerBoundsOnly(spec) : spec;
  }
}
