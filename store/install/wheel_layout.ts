/**
 * Where each member of a wheel goes inside a store entry (DEVELOPERS.md, "Store entries"):
 * ordinary members at the entry's root (it plays the role of site-packages), and the members of
 * `<dist>-<version>.data/<key>/` by key:
 *
 * | key                | destination |
 * |--------------------|-------------|
 * | purelib, platlib   | the root    |
 * | scripts            | `bin/`      |
 * | headers            | `include/`  |
 * | data               | `data/`     |
 *
 * Any other key, a second `.dist-info`/`.data` folder, a `.dist-info` of another project, two
 * members landing on the same path, or a member named like the entry's own marker file is an
 * error: such a wheel is either broken or trying something.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { ENTRY_MARKER } from "../layout.ts";
import { normalizeName } from "../../core/names.ts";

const DATA_KEYS: Record<string, string> = {
  purelib: "",
  platlib: "",
  scripts: "bin/",
  headers: "include/",
  data: "data/",
};

/** Maps member names to entry paths for one wheel; remembers what it saw. */
export class WheelLayout {
  /** The normalized project name the wheel must be about. */
  readonly project: string;
  /** The `.dist-info` folder name once seen. */
  distInfo: string | null = null;
  /** The `.data` folder name once seen. */
  dataDir: string | null = null;
  /** Entry path → member name, for collisions. */
  readonly #targets = new Map<string, string>();
  /** Member name → entry path. */
  readonly destinations = new Map<string, string>();
  /** Entry paths of `.data/scripts/` members. */
  readonly scripts = new Set<string>();

  constructor(project: string) {
    this.project = project;
  }

  /** The entry path (relative, `/`-separated) for a file member; throws for a refused one. */
  map(member: string): string {
    const slash = member.indexOf("/");
    const top = slash === -1 ? member : member.slice(0, slash);
    let target = member;
    if (top.endsWith(".dist-info") && slash !== -1) {
      this.#claim("distInfo", top, ".dist-info");
    } else if (top.endsWith(".data") && slash !== -1) {
      this.#claim("dataDir", top, ".data");
      const rest = member.slice(slash + 1);
      const keyEnd = rest.indexOf("/");
      const key = keyEnd === -1 ? rest : rest.slice(0, keyEnd);
      if (!(key in DATA_KEYS) || keyEnd === -1 || keyEnd === rest.length - 1) {
        throw new EnvknitError(
          `wheel member ${JSON.stringify(member)} is not in a known .data category ` +
            `(purelib, platlib, scripts, headers, data)`,
        );
      }
      target = DATA_KEYS[key] + rest.slice(keyEnd + 1);
      if (key === "scripts") this.scripts.add(target);
    }
    if (target === ENTRY_MARKER) {
      throw new EnvknitError(
        `wheel member ${JSON.stringify(member)} would replace envknit's marker`,
      );
    }
    const other = this.#targets.get(target);
    if (other !== undefined) {
      throw new EnvknitError(
        `wheel members ${JSON.stringify(other)} and ${JSON.stringify(member)} install to the ` +
          `same path ${JSON.stringify(target)}`,
      );
    }
    this.#targets.set(target, member);
    this.destinations.set(member, target);
    return target;
  }

  #claim(field: "distInfo" | "dataDir", top: string, suffix: string): void {
    const current = this[field];
    if (current === top) return;
    const stem = top.slice(0, -suffix.length);
    const dash = stem.indexOf("-");
    const name = normalizeName(dash === -1 ? stem : stem.slice(0, dash));
    if (name !== this.project) {
      throw new EnvknitError(
        `the wheel holds ${
          JSON.stringify(top)
        }, which belongs to another project than ${this.project}`,
      );
    }
    if (current !== null) {
      throw new EnvknitError(`the wheel has two ${suffix} folders: ${current} and ${top}`);
    }
    this[field] = top;
  }
}
