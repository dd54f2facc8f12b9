/**
 * Atomic file replacement: readers and crashes see the old file or the new one, never half.
 *
 * @module
 */
import { EnvknitError } from "./errors.ts";

/** Writes `text` to `path` through a temp file in the same directory and a rename. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash === -1 ? "." : path.slice(0, slash) || "/";
  const tmp = `${dir}/.${path.slice(slash + 1)}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o644 });
    try {
      const bytes = new TextEncoder().encode(text);
      for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw new EnvknitError(
      `cannot write ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
}
