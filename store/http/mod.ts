/**
 * The HTTP client of envknit (see `client.ts`) and the URL rules it enforces.
 *
 * @module
 */
export {
  type ByteRange,
  type GetOptions,
  type HttpBytes,
  HttpClient,
  type HttpClientOptions,
  HttpError,
  type HttpErrorKind,
  type HttpResponse,
  type HttpStats,
} from "./client.ts";
export {
  checkTransport,
  isLoopback,
  isTrustedHost,
  redactUrl,
  stripCredentials,
  trustedHostsFromEnv,
  urlCredentials,
} from "./url.ts";
export { type Netrc, type NetrcEntry, netrcLookup, netrcPath, parseNetrc } from "./netrc.ts";
export { httpOptionsFromEnv } from "./env.ts";
