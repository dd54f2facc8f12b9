/**
 * The views of a store as `store gc` sees them: each `views/<key>/` with what its `view.json`
 * says (the lock it was made from, the entries it links), and their removal (renamed into
 * `views/.tmp/` first, so a view disappears from its path in one step, then deleted).
 *
 * @module
 */
import type { StoreLayout } from "../layout.ts";
import { VIEW_FILE } from "./build.ts";

/** One view in place. */
export interface StoreView {
  /** Its key (the folder name). */
  key: string;
  /** Its folder. */
  path: string;
  /** The lock it was made from (a real path), or null when `view.json` is unreadable. */
  lock: string | null;
  /** `name/version/hash16` of each entry it links (`packages/<name>/<version>/<hash16>`). */
  entries: string[];
  /** When it was last used (`view.json`'s mtime, ms), 0 when unknown. */
  used: number;
}

/** `name/version/hash16` of an entry folder `…/packages/<name>/<version>/<hash16>`. */
export function entryId(path: string): string {
  return path.split("/").slice(-3).join("/");
}

/** Every view of the store (a folder without a readable `view.json` has `lock` null). */
export function listViews(layout: StoreLayout): StoreView[] {
  const views: StoreView[] = [];
  let names: string[];
  try {
    names = [...Deno.readDirSync(layout.viewsDir)].filter((e) => e.isDirectory).map((e) => e.name)
      .filter((n) => !n.startsWith(".")).sort();
  } catch {
    return views;
  }
  for (const key of names) {
    const path = layout.viewDir(key);
    let lock: string | null = null;
    let entries: string[] = [];
    let used = 0;
    try {
      used = Deno.statSync(`${path}/${VIEW_FILE}`).mtime?.getTime() ?? 0;
      const doc = JSON.parse(Deno.readTextFileSync(`${path}/${VIEW_FILE}`));
      if (typeof doc?.lock === "string" && Array.isArray(doc.entries)) {
        entries = doc.entries.map((e: { path?: unknown }) => String(e?.path ?? "")).map(entryId);
        lock = doc.lock;
      }
    } catch {
      lock = null;
    }
    views.push({ key, path, lock, entries, used });
  }
  return views;
}

/** Removes a view: renamed out of sight first, then deleted. */
export async function removeView(layout: StoreLayout, view: StoreView): Promise<void> {
  await Deno.mkdir(layout.viewsTmpDir, { recursive: true });
  const aside = `${layout.viewsTmpDir}/gc-${crypto.randomUUID().slice(0, 12)}`;
  try {
    await Deno.rename(view.path, aside);
  } catch {
    return; // gone already
  }
  await Deno.remove(aside, { recursive: true }).catch(() => {});
}
