/**
 * Choosing, among a locked version's wheels, the one to install for the target interpreter.
 *
 * @module
 */
import type { LockPackage, LockWheel } from "../../project/lock.ts";
import { tryParseWheelFilename } from "../wheel/filename.ts";

/** A lock wheel with its expanded tags. */
export interface TaggedWheel {
  wheel: LockWheel;
  /** Expanded `python-abi-platform` tags of the file name. */
  tags: string[];
  /** The build tag number (higher wins among equal tags), or -1 without one. */
  build: number;
}

/** The lock's wheels of `pkg` whose file names parse and name that package. */
export function taggedWheels(pkg: LockPackage): TaggedWheel[] {
  const out: TaggedWheel[] = [];
  for (const wheel of pkg.wheels) {
    const parsed = tryParseWheelFilename(wheel.file);
    if (!parsed || parsed.normalizedName !== pkg.name) continue;
    out.push({ wheel, tags: parsed.tags, build: parsed.build?.number ?? -1 });
  }
  return out;
}

/**
 * True when a wheel runs on any CPython 3 whatever the interpreter's ABI and platform
 * (`py3-none-any`, `py2.py3-none-any`): then nobody needs to ask the interpreter what it is.
 */
export function isUniversal(tags: readonly string[]): boolean {
  return tags.some((t) => /^py3-none-any$/.test(t));
}
