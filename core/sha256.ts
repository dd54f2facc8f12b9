/**
 * SHA-256 in lower-case hex (Web Crypto): cache keys, ids and content checks share this one.
 *
 * @module
 */

/** The SHA-256 of `data` (a string is hashed as UTF-8), as 64 lower-case hex digits. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
