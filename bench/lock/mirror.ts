/**
 * Real wheels for the lock benchmark: the projects a set of requirements can reach in a local
 * PEP 503 mirror (`/opt/pypi`: `simple/<name>/index.html` and `files/`), loaded for the loopback
 * index server with their METADATA (served as PEP 658 files, as PyPI does).
 *
 * The closure follows every Requires-Dist of every version, whatever its marker (a superset of
 * what a resolver for any platform may ask for), except those behind extras nobody asks for.
 *
 * @module
 */
import { parseHtmlPage } from "../../store/index/page.ts";
import { readWheelMetadata } from "../../store/index/core_metadata.ts";
import { normalizeName } from "../../core/names.ts";
import { splitRequirement } from "../../resolver/split_requirement.ts";
import { parseCoreMetadata } from "../../store/wheel/metadata.ts";
import { openFileSource, openZip } from "../../store/zip/mod.ts";
import type { IndexFile } from "../../tests/support/index_server.ts";

/** The mirror this machine has, if any. */
export const MIRROR = "/opt/pypi";

/** Whether the mirror exists here. */
export async function mirrorAvailable(root = MIRROR): Promise<boolean> {
  try {
    return (await Deno.stat(`${root}/simple`)).isDirectory;
  } catch {
    return false;
  }
}

/** One project of the mirror: its wheels with bytes and METADATA. */
async function loadProject(root: string, name: string): Promise<IndexFile[] | null> {
  const pageUrl = `file://${root}/simple/${name}/`;
  let html: string;
  try {
    html = await Deno.readTextFile(`${root}/simple/${name}/index.html`);
  } catch {
    return null;
  }
  const files: IndexFile[] = [];
  for (const f of parseHtmlPage(html, pageUrl, null).files) {
    if (!f.filename.endsWith(".whl")) continue;
    const path = decodeURIComponent(new URL(f.url).pathname);
    const source = await openFileSource(path);
    let metadata: string;
    try {
      metadata = await readWheelMetadata(await openZip(source), name, path);
    } finally {
      source.close();
    }
    files.push({
      filename: f.filename,
      bytes: await Deno.readFile(path),
      sha256: f.hashes.sha256,
      metadata,
      requiresPython: parseCoreMetadata(metadata).requiresPython,
    });
  }
  return files;
}

/** `name[extra1,extra2]` of a requirement: its normalized name and the extras it asks for. */
function requirementParts(requirement: string): { name: string; extras: string[] } | null {
  const parts = splitRequirement(requirement);
  if (!parts) return null;
  return { name: normalizeName(parts.name), extras: parts.extras.map(normalizeName) };
}

/** The extras a marker is conditioned on (`extra == "css"`), normalized. */
function markerExtras(marker: string): string[] {
  return [...marker.matchAll(/\bextra\s*==\s*["']([^"']+)["']/g)].map((m) => normalizeName(m[1]));
}

/**
 * The projects reachable from `requirements` in the mirror (see the module documentation), as
 * `startIndex` takes them. A requirement behind an extra is followed when some requirement asks
 * for that extra. Names the mirror lacks are left out (the index answers 404).
 */
export async function mirrorClosure(
  requirements: string[],
  root = MIRROR,
): Promise<Record<string, IndexFile[]>> {
  const projects: Record<string, IndexFile[]> = {};
  const missing = new Set<string>();
  const extras = new Map<string, Set<string>>(); // project → extras asked for
  const done = new Map<string, Set<string>>(); // project → extras already followed
  let frontier = requirements;
  while (frontier.length) {
    const wanted = new Set<string>();
    for (const req of frontier) {
      const parts = requirementParts(req);
      if (!parts || missing.has(parts.name)) continue;
      const set = extras.get(parts.name) ?? new Set<string>();
      parts.extras.forEach((e) => set.add(e));
      extras.set(parts.name, set);
      const seen = done.get(parts.name);
      if (!seen || [...set].some((e) => !seen.has(e))) wanted.add(parts.name);
    }
    const names = [...wanted].filter((n) => !(n in projects));
    const loaded = await Promise.all(names.map((n) => loadProject(root, n)));
    names.forEach((n, i) => {
      if (loaded[i]) projects[n] = loaded[i]!;
      else missing.add(n);
    });
    const next: string[] = [];
    for (const name of wanted) {
      const files = projects[name];
      if (!files) continue;
      const asked = extras.get(name)!;
      done.set(name, new Set(asked));
      for (const file of files) {
        for (const req of parseCoreMetadata(file.metadata!).requiresDist) {
          const marker = req.includes(";") ? req.slice(req.indexOf(";") + 1) : "";
          const needs = markerExtras(marker);
          if (needs.length && !needs.some((e) => asked.has(e))) continue;
          next.push(req.includes(";") ? req.slice(0, req.indexOf(";")) : req);
        }
      }
    }
    frontier = next;
  }
  return projects;
}
