/**
 * Choosing, among a package version's wheels, the one to install for the target interpreter.
 *
 * The interpreter is asked for (probed) only when some package offers platform-specific wheels:
 * a set of pure-Python `py3-none-any` wheels is chosen without starting Python.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import type { WheelFile } from "../packages.ts";
import { bestWheel, describeInterpreter, unavailableReason } from "../tags/compat.ts";
import type { Interpreter } from "../tags/interpreter.ts";
import { tryParseWheelFilename } from "../wheel/filename.ts";

/** A wheel with its expanded tags. */
export interface TaggedWheel {
  wheel: WheelFile;
  /** Expanded `python-abi-platform` tags of the file name. */
  tags: string[];
  /** The build tag number (higher wins among equal tags), or -1 without one. */
  build: number;
}

/** A package version with its wheels' tags read: what {@link chooseWheels} chooses among. */
export interface TaggedPackage {
  name: string;
  version: string;
  wheels: TaggedWheel[];
}

/** The wheels of `pkg` whose file names parse and name that package. */
export function taggedWheels(pkg: { name: string; wheels: readonly WheelFile[] }): TaggedWheel[] {
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

/** The target interpreter, asked for only when a wheel is not universal (`ops/interpreter.ts`). */
export interface TargetInterpreter {
  /** The interpreter; may probe it, so it is called only when needed. */
  interpreter(): Promise<Interpreter>;
}

/** A package and the wheel chosen for the target. */
export interface ChosenWheel<P extends TaggedPackage = TaggedPackage> {
  pkg: P;
  wheel: TaggedWheel;
}

/**
 * Chooses each package's best wheel for `target` (`bestWheel` of `store/tags`). Packages whose
 * wheels are all pure `py3-none-any` need no interpreter.
 *
 * @throws EnvknitError naming every package without a compatible wheel, and why.
 */
export async function chooseWheels<P extends TaggedPackage>(
  packages: readonly P[],
  target: TargetInterpreter,
): Promise<ChosenWheel<P>[]> {
  const chosen: ChosenWheel<P>[] = [];
  const unmatched: string[] = [];
  for (const pkg of packages) {
    let wheel: TaggedWheel | null = null;
    if (pkg.wheels.length > 0 && pkg.wheels.every((w) => isUniversal(w.tags))) {
      wheel = [...pkg.wheels].sort((a, b) =>
        b.build - a.build || (a.wheel.file < b.wheel.file ? -1 : 1)
      )[0];
    } else if (pkg.wheels.length > 0) {
      const interp = await target.interpreter();
      const best = bestWheel(pkg.wheels.map((w) => w.wheel.file), interp);
      if (best) wheel = pkg.wheels[best.index];
    }
    if (wheel) chosen.push({ pkg, wheel });
    else {
      const interp = await target.interpreter().catch(() => null);
      const files = pkg.wheels.map((w) => w.wheel.file);
      const why = interp ? unavailableReason(files, interp) : null;
      unmatched.push(`${pkg.name} ${pkg.version} (${why ?? "the lock lists no wheel"})`);
    }
  }
  if (unmatched.length) {
    const interp = await target.interpreter().catch(() => null);
    const what = interp ? describeInterpreter(interp) : "the target interpreter";
    throw new EnvknitError(
      `no wheel in the lock suits ${what}: ${unmatched.slice(0, 3).join("; ")}${
        unmatched.length > 3 ? `; and ${unmatched.length - 3} more` : ""
      }`,
      {
        hints: [
          "envknit installs wheels only; re-lock for this interpreter ('envknit lock'), " +
          "or choose another with --python",
        ],
      },
    );
  }
  return chosen;
}
