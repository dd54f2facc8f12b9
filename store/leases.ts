/**
 * Leases of running programs on the store (#14.4): `envknit run` writes
 * `leases/<pid>-<start>.json` while its command runs, naming the view the command uses, and
 * `store gc` keeps that view and the entries it links while a process of the lease lives. A
 * process is identified by its pid and its start time (field 22 of `/proc/<pid>/stat`, clock ticks
 * since boot), so a pid reused by another process does not keep a lease alive; a lease none of
 * whose processes lives is stale: gc ignores it and removes the file.
 *
 * ```json
 * {"pids": [[4242, 123456], [4243, 123460]], "view": "<key>", "lock": "/abs/envknit.lock.yaml"}
 * ```
 *
 * Without `/proc` (not Linux) a start time is null, and a lease is taken as live for a day.
 *
 * @module
 */
import { writeFileAtomicSync } from "../core/atomic_write.ts";
import type { StoreLayout } from "./layout.ts";

/** A lease without a process that can be checked is live this long (no `/proc`). */
const UNCHECKED_MS = 24 * 3600 * 1000;

/** The contents of a lease file. */
export interface Lease {
  /** `[pid, start time]` of each process the lease stands for (start null when unknown). */
  pids: [number, number | null][];
  /** The key of the view the command uses (`views/<key>/`). */
  view: string;
  /** The lock the view was made from. */
  lock: string;
}

/**
 * The start time of process `pid` (field 22 of `/proc/<pid>/stat`), or null when it is not
 * running (a zombie, dead but not yet reaped, is not) or cannot be read.
 */
export function processStartTime(pid: number | "self"): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return null;
    const start = Number(fields[19]);
    return Number.isSafeInteger(start) ? start : null;
  } catch {
    return null;
  }
}

/** A lease held by this process; {@link LeaseHandle.release} removes it. */
export interface LeaseHandle {
  /** The lease file (null when it could not be written: a read-only store). */
  file: string | null;
  /** Adds a process (a child started under the lease) to it. */
  add(pid: number): void;
  /** Removes the lease file. */
  release(): void;
}

/**
 * Takes a lease on view `view` for this process. Failures to write are ignored (a read-only store
 * runs its commands; nothing can collect it meanwhile either).
 */
export function takeLease(layout: StoreLayout, view: string, lock: string): LeaseHandle {
  const lease: Lease = { pids: [[Deno.pid, processStartTime("self")]], view, lock };
  const file = `${layout.leasesDir}/${Deno.pid}-${lease.pids[0][1] ?? Date.now()}.json`;
  const write = () => {
    try {
      writeFileAtomicSync(file, JSON.stringify(lease) + "\n", { mkdir: true });
      return true;
    } catch {
      return false;
    }
  };
  const written = write();
  return {
    file: written ? file : null,
    add(pid: number) {
      const start = processStartTime(pid);
      if (start === null && lease.pids[0][1] !== null) return; // already gone
      lease.pids.push([pid, start]);
      if (written) write();
    },
    release() {
      if (!written) return;
      try {
        Deno.removeSync(file);
      } catch {
        // removed by gc as stale, or never there
      }
    },
  };
}

function validLease(value: unknown): value is Lease {
  const v = value as Lease;
  return typeof v === "object" && v !== null && typeof v.view === "string" &&
    /^[0-9a-f]{16}$/.test(v.view) && typeof v.lock === "string" && Array.isArray(v.pids) &&
    v.pids.every((p) =>
      Array.isArray(p) && Number.isSafeInteger(p[0]) && p[0] > 0 &&
      (p[1] === null || Number.isSafeInteger(p[1]))
    );
}

/** Whether a process of `lease` still runs (the same process: pid and start time). */
export function leaseIsLive(lease: Lease, mtime: number | null = null): boolean {
  return lease.pids.some(([pid, start]) => {
    if (start === null) return mtime !== null && Date.now() - mtime < UNCHECKED_MS;
    return processStartTime(pid) === start;
  });
}

/** The leases of a store, sorted into live ones and stale files. */
export interface LeaseScan {
  /** Leases with a live process. */
  live: Lease[];
  /** Lease files of dead processes, or unreadable. */
  stale: string[];
}

/** Reads every lease of the store and tells live ones from stale ones (removing nothing). */
export function scanLeases(layout: StoreLayout): LeaseScan {
  const scan: LeaseScan = { live: [], stale: [] };
  let names: string[];
  try {
    names = [...Deno.readDirSync(layout.leasesDir)].map((e) => e.name).sort();
  } catch {
    return scan;
  }
  for (const name of names) {
    const path = `${layout.leasesDir}/${name}`;
    if (!name.endsWith(".json")) {
      // A temp file of a writer: a live one renames it within moments, so an old one is left
      // over by a writer that died.
      try {
        const age = Date.now() - (Deno.statSync(path).mtime?.getTime() ?? 0);
        if (name.startsWith(".") && age > 3600_000) scan.stale.push(path);
      } catch {
        // renamed meanwhile
      }
      continue;
    }
    let lease: unknown = null;
    let mtime: number | null = null;
    try {
      lease = JSON.parse(Deno.readTextFileSync(path));
      mtime = Deno.statSync(path).mtime?.getTime() ?? null;
    } catch {
      lease = null;
    }
    if (validLease(lease) && leaseIsLive(lease, mtime)) scan.live.push(lease);
    else scan.stale.push(path);
  }
  return scan;
}
