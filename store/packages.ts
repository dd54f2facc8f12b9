/**
 * What the store is asked to install, fetch, verify or keep: package versions and their wheel
 * files, as plain data. The store knows nothing of envknit.yaml or the lock; `ops/` maps lock
 * entries to these (the lock's entries have the same shape).
 *
 * @module
 */

/** One wheel file of a package version: what the store needs to obtain it and check it. */
export interface WheelFile {
  /** The file name (PEP 427: `name-version(-build)?-python-abi-platform.whl`). */
  file: string;
  /** Where it is downloaded from when neither the cache nor a find-links folder has it. */
  url: string;
  /** Its sha256 in hex: the bytes must have it; it names the entry and the cached copy. */
  sha256: string;
  /** Its size in bytes, when known: a longer download is refused as soon as it is longer. */
  size?: number;
}

/** A package version with the wheels it may be installed from (every platform's). */
export interface StorePackage {
  /** PEP 503-normalized name: the entry's folder. */
  name: string;
  /** PEP 440-normalized version: the entry's folder below the name. */
  version: string;
  /** Its wheels; the store installs the one that suits the target interpreter. */
  wheels: WheelFile[];
}
