/**
 * What a wheel is, checked against the package version it is installed as (issue #14.6): its
 * `.dist-info` folder and METADATA must name the project and the version of the entry; a wheel of
 * another project or version under a lock entry's name is refused. `install` asks for entries it
 * builds and for those already present (the marker's full sha256 is `../entry_marker.ts`).
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { normalizeName } from "../../core/names.ts";
import { canonicalVersion } from "../../core/pep440.ts";
import { parseCoreMetadata } from "../wheel/metadata.ts";

/** The `.dist-info` folder of project `name` among the top-level names of an entry, or null. */
export function distInfoOf(names: readonly string[], name: string): string | null {
  const infos = names.filter((n) => n.endsWith(".dist-info"));
  const own = infos.filter((n) => {
    const stem = n.slice(0, -".dist-info".length);
    const dash = stem.indexOf("-");
    return normalizeName(dash === -1 ? stem : stem.slice(0, dash)) === name;
  });
  return own.length === 1 ? own[0] : null;
}

/** The `.dist-info` folder name and METADATA text of the entry (built or in place) at `dir`. */
export async function readEntryMetadata(
  dir: string,
  name: string,
  wheelFile: string,
): Promise<{ distInfo: string; text: string }> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isDirectory) names.push(e.name);
  const distInfo = distInfoOf(names, name);
  if (distInfo === null) {
    throw new EnvknitError(`${wheelFile} has no .dist-info folder of ${name}`, {
      hints: ["the wheel is not the package the lock names; nothing was installed"],
    });
  }
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/${distInfo}/METADATA`);
  } catch {
    throw new EnvknitError(`${wheelFile} has no readable ${distInfo}/METADATA`);
  }
  return { distInfo, text };
}

/**
 * Throws unless the wheel's `.dist-info` folder and its METADATA name project `name` at version
 * `version` (both normalized, as a lock entry has them). The message names the field that
 * differs.
 */
export function assertWheelIdentity(
  wheelFile: string,
  distInfo: string,
  metadata: string,
  name: string,
  version: string,
): void {
  const refuse = (what: string) =>
    new EnvknitError(`${wheelFile}: ${what}, but the lock says ${name} ${version}`, {
      hints: ["the wheel is not the package version the lock names; nothing was installed"],
    });
  const stem = distInfo.slice(0, -".dist-info".length);
  const dash = stem.indexOf("-");
  if (dash !== -1) {
    const spelled = stem.slice(dash + 1);
    if (canonicalVersion(spelled) !== canonicalVersion(version)) {
      throw refuse(`its ${distInfo} folder is for version ${JSON.stringify(spelled)}`);
    }
  }
  const meta = parseCoreMetadata(metadata, { source: `${wheelFile}: ${distInfo}/METADATA` });
  if (meta.normalizedName !== name) {
    throw refuse(`its METADATA Name is ${JSON.stringify(meta.name)}`);
  }
  if (canonicalVersion(meta.version) !== canonicalVersion(version)) {
    throw refuse(`its METADATA Version is ${JSON.stringify(meta.version)}`);
  }
}
