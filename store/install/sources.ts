/**
 * Where a locked wheel's bytes come from (the wheel cache, a find-links folder, or its URL) and
 * the HTTP client that downloads it, for `installLock` (`store/installing.ts`) and `fetchLock`
 * (`store/fetching.ts`). Loads none of the unpacking machinery.
 *
 * @module
 */
import type { LockWheel } from "../../project/lock.ts";
import { HttpClient } from "../http/client.ts";
import { trustedHostsFromEnv } from "../http/url.ts";
import type { StoreLayout } from "../layout.ts";
import type { WheelSource } from "./build_entry.ts";

/** Whether `path` exists (following links). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where to read `wheel` from: the wheel cache (by sha256), else the first find-links folder that
 * has a file of its name, else its URL. Nothing is verified here: the reader hashes the bytes.
 */
export async function locateWheel(
  layout: StoreLayout,
  wheel: LockWheel,
  findLinks: readonly string[],
): Promise<WheelSource> {
  const cached = layout.cachedWheel(wheel.sha256);
  if (await exists(cached)) return { kind: "cache", path: cached };
  for (const dir of findLinks) {
    const path = `${dir.replace(/\/+$/, "")}/${wheel.file}`;
    if (await exists(path)) return { kind: "file", path };
  }
  return { kind: "url", url: wheel.url };
}

/**
 * The HTTP client for downloading wheels: plain-http hosts trusted by `env`, and the credentials
 * of `credentialUrls` (the index URLs of envknit.yaml or `--index-url`).
 */
export function downloadClient(
  env: Record<string, string>,
  credentialUrls: readonly string[],
): HttpClient {
  const http = new HttpClient({ trustedHosts: trustedHostsFromEnv(env), env });
  for (const url of credentialUrls) http.rememberCredentials(url);
  return http;
}
