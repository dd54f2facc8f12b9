/**
 * The wire contract of the resolver's `solver.*` operations: the shapes of their arguments and
 * answers as they cross the wasm boundary (JSON, snake_case). They are declared once per side:
 * here for TypeScript, and as the typed requests and responses of
 * `resolver/wasm/src/solver_ops.rs` for Rust. The examples in `resolver/testdata/wire/*.json` are
 * checked by both: `cargo test` decodes and re-encodes each one, `resolver/wire_test.ts`
 * validates each against these types and runs it through the real module.
 *
 * Every member is always sent (`null` when an optional one is absent). The module refuses
 * members it does not know, so a misspelled one is an error rather than silently ignored.
 *
 * @module
 */
import type { MarkerEnvironment } from "./pep.ts";

/** The pre-release policy (see `ResolveRequest.prereleases`). */
export type Prereleases = "if-necessary-or-explicit" | "allow" | "disallow";

/** `solver.create`: what to resolve, and for which target. */
export interface CreateRequest {
  /** The root PEP 508 requirements. */
  requirements: string[];
  environment: MarkerEnvironment;
  /** The target Python version when not `environment.python_full_version`. */
  python: string | null;
  /** The project's own Requires-Python. */
  requires_python: string | null;
  prereleases: Prereleases;
  /** Name -> version to keep when possible. */
  preferences: Record<string, string>;
}

/** `solver.create`'s answer: the session the other operations name. */
export interface CreateResponse {
  session: number;
}

/** `solver.step`: data for a session (any amount, in any order), after which it runs. */
export interface StepRequest {
  session: number;
  versions: ProjectVersions[];
  metadata: VersionMetadata[];
}

/** The versions of one project; `versions: null` when no index has it. */
export interface ProjectVersions {
  name: string;
  versions: CandidateVersion[] | null;
}

/** One version of a project, as the provider lists it. */
export interface CandidateVersion {
  version: string;
  yanked: boolean;
  requires_python: string | null;
  /** Why no file of this version can be installed on the target. */
  unavailable: string | null;
}

/** The metadata of one version. */
export interface VersionMetadata {
  name: string;
  version: string;
  requires_dist: string[];
  requires_python: string | null;
}

/** A project name and one of its versions. */
export type NameVersion = [name: string, version: string];

/**
 * `solver.step`'s answer when the solver cannot go on: `versions` and `metadata` are needed;
 * `prefetch` (projects) and `prefetch_metadata` (versions) are what it will probably ask next.
 */
export interface NeedResponse {
  status: "need";
  versions: string[];
  metadata: NameVersion[];
  prefetch: string[];
  prefetch_metadata: NameVersion[];
}

/** `solver.step`'s answer with a solution, sorted by name. */
export interface DoneResponse {
  status: "done";
  packages: ResolvedPackage[];
  stats: Stats;
}

/** `solver.step`'s answer when there is no solution. */
export interface FailedResponse {
  status: "failed";
  explanation: string;
  stats: Stats;
}

/** `solver.step`'s answer. */
export type StepResponse = NeedResponse | DoneResponse | FailedResponse;

/** One package of a solution. */
export interface ResolvedPackage {
  name: string;
  version: string;
  /** The Requires-Dist that apply (markers true, chosen extras), without markers. */
  dependencies: string[];
  requires_python: string | null;
  /** The extras of this package that were requested. */
  extras: string[];
}

/** Work counters of a finished resolution. */
export interface Stats {
  decisions: number;
  conflicts: number;
  propagations: number;
  incompatibilities: number;
}

/** `solver.drop`: the session to forget. */
export interface SessionRequest {
  session: number;
}

/** Each `solver.*` operation: its arguments and the value of its `ok` answer. */
export interface SolverOps {
  "solver.create": { args: CreateRequest; ok: CreateResponse };
  "solver.step": { args: StepRequest; ok: StepResponse };
  "solver.drop": { args: SessionRequest; ok: true };
}
