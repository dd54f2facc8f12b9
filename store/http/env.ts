/**
 * HTTP settings from the environment, shared by every command that builds an {@link HttpClient}:
 *
 * - `ENVKNIT_TRUSTED_HOSTS`: hosts that may be reached over plain http (commas or spaces);
 * - `ENVKNIT_HTTP_TIMEOUT`: seconds to wait for an answer, and between two body chunks;
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
  const options: HttpClientOptions = {
    trustedHosts: [...trustedHosts, ...trustedHostsFromEnv(env)],
    env,
  };
  if (timeout !== undefined) options.timeoutMs = Math.round(timeout * 1000);
  if (retries !== undefined) options.retries = Math.floor(retries);
  return options;
}
