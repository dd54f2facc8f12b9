/**
 * The resolver's driver: runs a sans-IO PubGrub session in the wasm module (`solver.*` ops,
 * resolver/wasm/src/resolve/session.rs) and answers its questions from a {@link ResolverProvider}.
 *
 * The wasm side never does I/O. Each `solver.step` call carries every answer the driver has ready
 * (project versions, version metadata) and returns either what the solver needs to go on, or the
 * result. Besides its needs, a step names what it will probably ask next: projects that just
 * appeared as dependencies (`prefetch`) and the versions it is likely to try (`prefetch_metadata`).
 * This is envknit's one read-ahead: the solver knows the requirements, markers, policies and
 * preferences that decide what comes next. The driver starts fetching those at once, so the
 * caller's I/O runs in parallel and ahead of the solver. While it waits for what is needed, an
 * answer fetched ahead is handed to the solver as soon as it arrives, so the hints that follow
 * from it (the pages of its dependencies, the likely version's metadata) start without waiting
 * for the slowest needed answer; answers that arrived together ride along in one step, one JSON
 * crossing however many it carries. The request and answer shapes are in `./wire.ts`.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import type { MarkerEnvironment } from "./pep.ts";
import { call, ResolverCallError } from "./wasm.ts";
import type * as wire from "./wire.ts";

/** One version of a project, as the provider lists it. */
export interface CandidateVersion {
  version: string;
  yanked: boolean;
  requiresPython: string | null;
  /** Why no file of this version can be installed on the target, or null when one can. */
  unavailable: string | null;
}

/** The parts of a version's core metadata the resolver needs. */
export interface VersionMetadata {
  requiresDist: string[];
  requiresPython: string | null;
}

/** Where the resolver gets project data from (an index client, or memory in tests). */
export interface ResolverProvider {
  /** The versions of a project; null when no index has it. */
  listVersions(name: string): Promise<CandidateVersion[] | null>;
  getMetadata(name: string, version: string): Promise<VersionMetadata>;
  /** A hint that the versions of `name` will be asked for; may start I/O. */
  prefetch?(name: string): void;
  /** A hint that this version's metadata will probably be asked for; may start I/O. */
  prefetchMetadata?(name: string, version: string): void;
}

/** What to resolve, and for which target. */
export interface ResolveRequest {
  /** Root PEP 508 requirements. */
  requirements: string[];
  /** The target; `python_full_version` is the Python version `Requires-Python` is checked against. */
  environment: MarkerEnvironment;
  /**
   * `if-necessary-or-explicit` (default): a project's pre-releases are used when one of these
   * requirements on it names a pre-release, or when it has nothing but pre-releases.
   */
  prereleases?: "if-necessary-or-explicit" | "allow" | "disallow";
  /** Name -> version to keep when possible (from an existing lock). */
  preferences?: Record<string, string>;
  /** The project's own Requires-Python, checked against the target (the whole specifier, as pip). */
  requiresPython?: string | null;
}

/** One package of a solution. */
export interface ResolvedPackage {
  name: string;
  version: string;
  /** Applicable Requires-Dist (markers true for the target, chosen extras), without markers. */
  dependencies: string[];
  requiresPython: string | null;
  /** Extras of this package that were requested. */
  extras: string[];
}

/** Work counters of one resolution, for benchmarks and diagnostics. */
export interface ResolveStats {
  decisions: number;
  conflicts: number;
  propagations: number;
  incompatibilities: number;
  /** `solver.step` calls (JSON crossings of the wasm boundary). */
  steps: number;
}

/** A solution sorted by name, or an explanation of why there is none. */
export type ResolveResult =
  | { ok: true; packages: ResolvedPackage[]; stats?: ResolveStats }
  | { ok: false; explanation: string; stats?: ResolveStats };

/** One fetch the driver started. Its answer is kept only until it is sent to the solver. */
interface Job<T> {
  promise: Promise<void>;
  state: "pending" | "ok" | "failed";
  wire: T | null;
  error: unknown;
  sent: boolean;
}

function solverCall<Op extends keyof wire.SolverOps>(
  op: Op,
  args: wire.SolverOps[Op]["args"],
): wire.SolverOps[Op]["ok"] {
  try {
    return call<wire.SolverOps[Op]["ok"]>(op, args);
  } catch (error) {
    if (error instanceof ResolverCallError) {
      throw new EnvknitError(`cannot resolve: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Resolves `request` with data from `provider`. A provider error for data the solver needs is
 * rethrown; one for data only fetched ahead is ignored unless the solver asks for it later.
 *
 * @throws {EnvknitError} when the request itself is invalid (a requirement, the environment)
 */
export async function resolve(
  request: ResolveRequest,
  provider: ResolverProvider,
): Promise<ResolveResult> {
  const { session } = solverCall("solver.create", {
    requirements: request.requirements,
    environment: request.environment,
    python: null,
    requires_python: request.requiresPython ?? null,
    prereleases: request.prereleases ?? "if-necessary-or-explicit",
    preferences: request.preferences ?? {},
  });
  const versionJobs = new Map<string, Job<wire.ProjectVersions>>();
  const metadataJobs = new Map<string, Job<wire.VersionMetadata>>();
  // Settled jobs not sent yet, in the order they settled (drained every round: no rescans).
  const readyVersions: Job<wire.ProjectVersions>[] = [];
  const readyMetadata: Job<wire.VersionMetadata>[] = [];
  // Called when an answer is ready: wakes the driver while it waits for needed data.
  let wake: (() => void) | null = null;

  const start = <T>(
    jobs: Map<string, Job<T>>,
    ready: Job<T>[],
    key: string,
    fetch: () => Promise<T>,
  ): Job<T> => {
    let job = jobs.get(key);
    if (job) return job;
    const created: Job<T> = {
      promise: Promise.resolve(),
      state: "pending",
      wire: null,
      error: null,
      sent: false,
    };
    created.promise = fetch().then(
      (answer) => {
        created.state = "ok";
        created.wire = answer;
        ready.push(created);
        wake?.();
      },
      (error) => {
        created.state = "failed";
        created.error = error;
        wake?.();
      },
    );
    jobs.set(key, created);
    job = created;
    return job;
  };
  const versions = (name: string) =>
    start(versionJobs, readyVersions, name, async () => {
      const list = await provider.listVersions(name);
      return {
        name,
        versions: list === null ? null : list.map((c) => ({
          version: c.version,
          yanked: c.yanked,
          requires_python: c.requiresPython,
          unavailable: c.unavailable,
        })),
      };
    });
  const metadata = (name: string, version: string) =>
    start(metadataJobs, readyMetadata, `${name}\0${version}`, async () => {
      const m = await provider.getMetadata(name, version);
      return {
        name,
        version,
        requires_dist: m.requiresDist,
        requires_python: m.requiresPython,
      };
    });

  let steps = 0;
  try {
    let outVersions: wire.ProjectVersions[] = [];
    let outMetadata: wire.VersionMetadata[] = [];
    for (;;) {
      steps++;
      const answer = solverCall("solver.step", {
        session,
        versions: outVersions,
        metadata: outMetadata,
      });
      if (answer.status === "done") {
        return {
          ok: true,
          packages: answer.packages.map((p) => ({
            name: p.name,
            version: p.version,
            dependencies: p.dependencies,
            requiresPython: p.requires_python,
            extras: p.extras,
          })),
          stats: { ...answer.stats, steps },
        };
      }
      if (answer.status === "failed") {
        return { ok: false, explanation: answer.explanation, stats: { ...answer.stats, steps } };
      }
      for (const name of answer.prefetch) {
        provider.prefetch?.(name);
        versions(name);
      }
      for (const [name, version] of answer.prefetch_metadata) {
        provider.prefetchMetadata?.(name, version);
        metadata(name, version);
      }
      const needed: Job<unknown>[] = [
        ...answer.versions.map(versions),
        ...answer.metadata.map(([name, version]) => metadata(name, version)),
      ];
      if (needed.length === 0) {
        throw new Error("resolver: the solver asked for nothing yet did not finish");
      }
      // Wait until every needed answer is in, or until some answer is ready to hand over (one
      // fetched ahead, or one of the needed): the next step takes it and hints what follows.
      const pending = () => needed.some((job) => job.state === "pending");
      while (pending() && readyVersions.length === 0 && readyMetadata.length === 0) {
        await new Promise<void>((resolve) => wake = resolve);
      }
      wake = null;
      if (!pending()) {
        for (const job of needed) {
          if (job.state === "failed") throw job.error;
          // Already sent but asked again: the solver did not take it, which would loop forever.
          if (job.sent) throw new Error("resolver: the solver asked twice for the same data");
        }
      }
      outVersions = drain(readyVersions);
      outMetadata = drain(readyMetadata);
    }
  } finally {
    solverCall("solver.drop", { session });
  }
}

function drain<T>(ready: Job<T>[]): T[] {
  const out: T[] = [];
  for (const job of ready.splice(0)) {
    if (job.state === "ok" && !job.sent && job.wire !== null) {
      job.sent = true;
      out.push(job.wire);
      job.wire = null;
    }
  }
  return out;
}
