/**
 * HTTP settings from the environment, shared by every command that builds an {@link HttpClient}:
 *
 * - `ENVKNIT_TRUSTED_HOSTS`: hosts that may be reached over plain http (commas or spaces);
 * - `ENVKNIT_HTTP_TIMEOUT`: seconds to wait for an answer, and between two body chunks;
 * - `ENVKNIT_HTTP_DEADLINE`: seconds any one request may take in all, retries and body included
 *   (default: 5 minutes, more for a large wheel at 64 KiB/s);
 * - `ENVKNIT_HTTP_RETRIES`: how many times a failed request is retried;
 * - `NETRC` / `HOME`: where `~/.netrc` is.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import type { HttpClientOptions } from "./client.ts";
import { trustedHostsFromEnv } from "./url.ts";

function number(
  env: Record<string, string | undefined>,
  name: string,
  min: number,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new EnvknitError(`${name}=${raw} is not a number of at least ${min}`);
  }
  return value;
}

/** Client options from `env`, plus `trustedHosts` named on the command line. */
export function httpOptionsFromEnv(
  env: Record<string, string | undefined>,
  trustedHosts: string[] = [],
): HttpClientOptions {
  const timeout = number(env, "ENVKNIT_HTTP_TIMEOUT", 0.001);
  const retries = number(env, "ENVKNIT_HTTP_RETRIES", 0);
  const deadline = number(env, "ENVKNIT_HTTP_DEADLINE", 0.001);
  const options: HttpClientOptions = {
    trustedHosts: [...trustedHosts, ...trustedHostsFromEnv(env)],
    env,
  };
  if (timeout !== undefined) options.timeoutMs = Math.round(timeout * 1000);
  if (retries !== undefined) options.retries = Math.floor(retries);
  if (deadline !== undefined) {
    options.deadlineMs = Math.round(deadline * 1000);
    options.fixedDeadline = true;
  }
  return options;
}
