/**
 * URL helpers shared by the HTTP client, the index client and the lock writer: credentials are
 * taken out of URLs before anything is logged or written, and plain http is refused unless the
 * host is loopback or one the user named.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";

/**
 * The URL without its `user:password@` part (for lock files: they never hold credentials). A
 * `file://user@/path` URL, which WHATWG parsers reject, loses its userinfo by text.
 */
export function stripCredentials(url: string): string {
  // Fast path (a lock lists thousands of wheel URLs): userinfo needs an '@' before the path.
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url)?.[1];
  if (authority !== undefined && !authority.includes("@")) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#@]*@/, "$1");
  }
  if (!parsed.username && !parsed.password) return url;
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
}

/** The URL with any password replaced by `****` (for messages). */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//****@");
  }
  if (parsed.password) parsed.password = "****";
  else if (parsed.username) parsed.username = "****";
  return parsed.href;
}

/** The `user` and `password` of a URL's userinfo, percent-decoded, or null when it has none. */
export function urlCredentials(url: URL): { user: string; password: string } | null {
  if (!url.username && !url.password) return null;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return { user: decode(url.username), password: decode(url.password) };
}

/** Whether `hostname` (as URL.hostname gives it) is a loopback address or `localhost`. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Whether `url` names a host from `trustedHosts`: an entry matches the host name, or exactly
 * `host:port` when it carries a port.
 */
export function isTrustedHost(url: URL, trustedHosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const withPort = url.port ? `${host}:${url.port}` : host;
  return trustedHosts.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e === host || e === withPort;
  });
}

/**
 * Throws unless `url` may be fetched: https always; http only for loopback or trusted hosts;
 * file URLs; nothing else.
 */
export function checkTransport(url: URL, trustedHosts: readonly string[]): void {
  if (url.protocol === "https:" || url.protocol === "file:") return;
  if (url.protocol === "http:") {
    if (isLoopback(url.hostname) || isTrustedHost(url, trustedHosts)) return;
    throw new EnvknitError(
      `refusing plain http to ${url.host}: ${redactUrl(url.href)} (use https)`,
      {
        hints: [
          `if you trust this host and the network to it, allow it with --trusted-host ${url.hostname}` +
          ` or ENVKNIT_TRUSTED_HOSTS=${url.hostname}`,
        ],
      },
    );
  }
  throw new EnvknitError(`unsupported URL scheme '${url.protocol}' in ${redactUrl(url.href)}`, {
    hints: ["envknit reads indexes over https, http (loopback or trusted hosts) and file://"],
  });
}

/** Trusted hosts from the environment: `ENVKNIT_TRUSTED_HOSTS`, separated by commas or spaces. */
export function trustedHostsFromEnv(env: Record<string, string | undefined>): string[] {
  return (env.ENVKNIT_TRUSTED_HOSTS ?? "").split(/[\s,]+/).filter((h) => h !== "");
}
