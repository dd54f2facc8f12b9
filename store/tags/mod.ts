/**
 * The target interpreter and its PEP 425 wheel tags: probe a real Python (cached) or describe a
 * target machine, list its supported tags in `packaging.tags.sys_tags()` order, and choose wheels.
 *
 * @module
 */
export {
  findPython,
  type FindPythonOptions,
  type PythonSource,
  whichExecutable,
} from "./find_python.ts";
export {
  type Interpreter,
  interpreterCacheKey,
  interpreterFromFacts,
  type MarkerEnvironment,
  type ProbeFacts,
  probeInterpreter,
  type ProbeOptions,
} from "./interpreter.ts";
export {
  interpreterFromTarget,
  parseTargetPlatform,
  type TargetPlatform,
  type TargetSpec,
} from "./target.ts";
export {
  compatibleTags,
  cpythonAbis,
  cpythonTags,
  genericTags,
  supportedTags,
  tagPriority,
} from "./tags.ts";
export {
  type BestWheel,
  bestWheel,
  describeInterpreter,
  unavailableReason,
  type WheelCompatibility,
  wheelCompatibility,
} from "./compat.ts";
export {
  linuxPlatforms,
  macPlatforms,
  manylinuxPlatforms,
  musllinuxPlatforms,
} from "./platforms.ts";
