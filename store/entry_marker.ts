/**
 * Which wheel a store entry holds, by its marker (`.envknit-entry.json`) rather than its folder
 * name (issue #14.8): the folder `packages/<name>/<version>/<hash16>/` carries only 16 hex digits
 * of the wheel's sha256, so a wheel whose hash shares that prefix, or a lock whose sha256 was
 * altered past it, must not pass for the entry. `install`, `run` and `status` compare the full
 * sha256 the marker records. Kept apart and small: `run` loads it on every start.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { ENTRY_MARKER } from "./layout.ts";

/** The full sha256 an entry's marker records, or null when the marker is missing or unreadable. */
export function entrySha256(dir: string): string | null {
  try {
    const marker = JSON.parse(Deno.readTextFileSync(`${dir}/${ENTRY_MARKER}`));
    return typeof marker?.sha256 === "string" ? marker.sha256.toLowerCase() : null;
  } catch {
    return null;
  }
}

/**
 * Throws unless the entry at `dir` holds the wheel with exactly this `sha256` (its marker's full
 * hash, not the folder's 16-digit prefix). `label` names the package in the message.
 */
export function assertEntryHolds(dir: string, sha256: string, label: string): void {
  const recorded = entrySha256(dir);
  if (recorded === sha256.toLowerCase()) return;
  throw new EnvknitError(
    recorded === null
      ? `the store entry of ${label} at ${dir} has no readable ${ENTRY_MARKER}: it is not an ` +
        "entry envknit completed"
      : `the store entry of ${label} at ${dir} holds the wheel with sha256 ${recorded}, not ` +
        `${sha256.toLowerCase()} as the lock says`,
    {
      hints: [
        "the lock's sha256 differs from the installed wheel's beyond the folder's 16-digit prefix",
        "if the lock was edited, restore it or run 'envknit lock'; 'envknit verify' checks the store",
      ],
    },
  );
}
