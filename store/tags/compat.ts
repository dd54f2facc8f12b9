/**
 * Which wheels an interpreter can install, which one it prefers, and why none fits, in words a
 * user can act on.
 *
 * @module
 */
import type { Interpreter } from "./interpreter.ts";
import { supportedTags, tagPriority } from "./tags.ts";
import { isSdistFilename, tryParseWheelFilename, type WheelFilename } from "../wheel/filename.ts";

/** The supported tags of an interpreter, by preference and by part (for messages). */
class TagIndex {
  readonly priority: Map<string, number>;
  readonly #tags: string[];
  #parts: { pythons: Set<string>; abis: Set<string>; platforms: Set<string> } | null = null;

  constructor(tags: string[]) {
    this.#tags = tags;
    this.priority = tagPriority(tags);
  }

  /** The tags' pythons, ABIs and platforms: only a message that says why no wheel fits asks. */
  get parts(): { pythons: Set<string>; abis: Set<string>; platforms: Set<string> } {
    if (this.#parts === null) {
      const parts = {
        pythons: new Set<string>(),
        abis: new Set<string>(),
        platforms: new Set<string>(),
      };
      for (const tag of this.#tags) {
        const [py, abi, plat] = tag.split("-");
        parts.pythons.add(py);
        parts.abis.add(abi);
        parts.platforms.add(plat);
      }
      this.#parts = parts;
    }
    return this.#parts;
  }
}

const indexes = new WeakMap<Interpreter, TagIndex>();

function indexOf(interp: Interpreter): TagIndex {
  let index = indexes.get(interp);
  if (!index) {
    index = new TagIndex(supportedTags(interp));
    indexes.set(interp, index);
  }
  return index;
}

const IMPLEMENTATIONS: Record<string, string> = {
  cpython: "CPython",
  pypy: "PyPy",
  graalpy: "GraalPy",
  ironpython: "IronPython",
  jython: "Jython",
};

/** The interpreter in a few words for messages: `CPython 3.11 on manylinux_2_36_x86_64`. */
export function describeInterpreter(interp: Interpreter): string {
  const name = IMPLEMENTATIONS[interp.implementation] ?? interp.implementation;
  const [major, minor] = interp.pythonVersionInfo;
  const t = interp.freeThreaded ? "t" : "";
  return `${name} ${major}.${minor}${t} on ${interp.platforms[0] ?? interp.platform}`;
}

/** Whether one wheel fits an interpreter. */
export interface WheelCompatibility {
  /** True when one of the wheel's tags is supported. */
  compatible: boolean;
  /** For a compatible wheel: the index of its best tag in `supportedTags` (lower is better). */
  priority?: number;
  /** For an incompatible wheel: why, in a sentence fragment naming the file. */
  reason?: string;
}

function list(items: Iterable<string>, max = 6): string {
  const all = [...new Set(items)].sort();
  return all.length > max
    ? `${all.slice(0, max).join(", ")} and ${all.length - max} more`
    : all.join(", ");
}

function mismatch(wheel: WheelFilename, tagIndex: TagIndex): string {
  const index = tagIndex.parts;
  const parts = wheel.tags.map((t) => t.split("-"));
  const pythons = parts.map((p) => p[0]);
  const abis = parts.map((p) => p[1]);
  const platforms = parts.map((p) => p[2]);
  if (!pythons.some((p) => index.pythons.has(p))) return `it is built for ${list(pythons)}`;
  if (!platforms.some((p) => index.platforms.has(p))) {
    return `it is built for the platform ${list(platforms)}`;
  }
  if (!abis.some((a) => index.abis.has(a))) return `it is built for the ABI ${list(abis)}`;
  return `none of its tags (${list(wheel.tags)}) is supported`;
}

/**
 * Whether the wheel named `filename` can be installed for `interp`, its preference if so, and a
 * reason for messages if not (an invalid file name is incompatible too).
 */
export function wheelCompatibility(filename: string, interp: Interpreter): WheelCompatibility {
  const wheel = tryParseWheelFilename(filename);
  if (wheel === null) {
    return { compatible: false, reason: `${filename} is not a valid wheel file name` };
  }
  const index = indexOf(interp);
  let best = Infinity;
  for (const tag of wheel.tags) best = Math.min(best, index.priority.get(tag) ?? Infinity);
  if (best !== Infinity) return { compatible: true, priority: best };
  return {
    compatible: false,
    reason: `${filename} does not fit ${describeInterpreter(interp)}: ${mismatch(wheel, index)}`,
  };
}

/** The wheel {@link bestWheel} chose. */
export interface BestWheel {
  /** The chosen file name. */
  filename: string;
  /** Its index in the list given to {@link bestWheel}. */
  index: number;
  /** Its preference (see {@link WheelCompatibility.priority}). */
  priority: number;
  /** The parsed file name. */
  wheel: WheelFilename;
}

function compareBuild(a: WheelFilename, b: WheelFilename): number {
  const an = a.build?.number ?? -1;
  const bn = b.build?.number ?? -1;
  if (an !== bn) return an - bn;
  const at = a.build?.tag ?? "";
  const bt = b.build?.tag ?? "";
  return at < bt ? -1 : at > bt ? 1 : 0;
}

/**
 * The most preferred wheel among `filenames` for `interp`, or null when none fits. Ties on tag
 * preference go to the higher build tag (as pip does), then to the smallest file name, so the
 * choice never depends on the order of the list.
 */
export function bestWheel(filenames: readonly string[], interp: Interpreter): BestWheel | null {
  const index = indexOf(interp);
  let best: BestWheel | null = null;
  filenames.forEach((filename, i) => {
    const wheel = tryParseWheelFilename(filename);
    if (wheel === null) return;
    let priority = Infinity;
    for (const tag of wheel.tags) {
      priority = Math.min(priority, index.priority.get(tag) ?? Infinity);
    }
    if (priority === Infinity) return;
    const candidate = { filename, index: i, priority, wheel };
    if (best === null || better(candidate, best)) best = candidate;
  });
  return best;
}

function better(a: BestWheel, b: BestWheel): boolean {
  if (a.priority !== b.priority) return a.priority < b.priority;
  const build = compareBuild(a.wheel, b.wheel);
  if (build !== 0) return build > 0;
  return a.filename < b.filename;
}

/**
 * Why none of a release's files can be installed for `interp`, or null when a wheel fits. The
 * sentence says when only source distributions exist (envknit installs wheels only) and otherwise
 * which Pythons and platforms the wheels are for:
 * `no wheel for CPython 3.11 on manylinux_2_36_x86_64: the available wheels are for cp312 on
 * macosx_11_0_arm64`.
 */
export function unavailableReason(
  filenames: readonly string[],
  interp: Interpreter,
): string | null {
  if (bestWheel(filenames, interp) !== null) return null;
  const wheels = filenames.map(tryParseWheelFilename).filter((w): w is WheelFilename => w !== null);
  const sdists = filenames.filter(isSdistFilename);
  const target = describeInterpreter(interp);
  if (wheels.length === 0) {
    if (sdists.length > 0) {
      return `only a source distribution (${list(sdists, 3)}) is available, and envknit installs ` +
        "wheels only";
    }
    return filenames.length === 0
      ? "no files are available"
      : `no wheel is available (only ${list(filenames, 3)}), and envknit installs wheels only`;
  }
  const tags = wheels.flatMap((w) => w.tags.map((t) => t.split("-")));
  const pythons = tags.map((t) => (t[1] === "abi3" ? `${t[0]}-abi3` : t[0]));
  const platforms = tags.map((t) => t[2]);
  const sdistNote = sdists.length > 0
    ? "; the source distribution is not used: envknit installs wheels only"
    : "";
  return `no wheel for ${target}: the available wheels are for ${list(pythons)} on ` +
    `${list(platforms)}${sdistNote}`;
}
