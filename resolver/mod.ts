/**
 * The resolver, as the rest of envknit uses it: PEP 440 / 503 / 508 helpers and `resolve`, all
 * computed by the resolver's WebAssembly module (loaded by `./wasm.ts` as a Wasm ES module, so it
 * works from a checkout, from `deno run https://…`, in `deno bundle` output and `deno compile`).
 *
 * ```ts
 * const result = await resolve({ requirements: ["requests>=2.28"], environment }, provider);
 * if (!result.ok) console.error(result.explanation);
 * ```
 *
 * @module
 */
export * from "./pep.ts";
export { resolve } from "./solve.ts";
export {
  type MultiTargetRequest,
  type MultiTargetResult,
  type MultiTargetStats,
  resolveTargets,
  type TargetInput,
} from "./multi_target.ts";
export { type MergedPackage, mergeTargets } from "./merge_targets.ts";
export {
  IndistinguishableTargets,
  markerFor,
  type MarkerVariable,
  targetMarkers,
} from "./target_markers.ts";
export type {
  CandidateVersion,
  ResolvedPackage,
  ResolveRequest,
  ResolveResult,
  ResolverProvider,
  ResolveStats,
  VersionMetadata,
} from "./solve.ts";
