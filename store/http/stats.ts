/**
 * The counters of an HTTP client's traffic, in a module of their own so that a caller can report
 * "no traffic" without loading the client.
 *
 * @module
 */

/** Counters of a client's traffic. */
export interface HttpStats {
  /** HTTP requests sent (each retry and each redirect hop counts). */
  requests: number;
  /** Requests sent again after a failure. */
  retries: number;
  /** Requests that carried `If-None-Match` or `If-Modified-Since`. */
  conditional: number;
  /** 304 answers. */
  notModified: number;
  /** Requests with a `Range` header. */
  ranged: number;
  /** Body bytes received over HTTP. */
  bytes: number;
  /** `file://` reads. */
  fileReads: number;
  /** Requests started and not finished (body included). */
  inFlight: number;
  /** Requests per `host:port`. */
  byHost: Record<string, number>;
}

/** Counters at zero: a client that sent nothing (or none was needed). */
export function noHttpTraffic(): HttpStats {
  return {
    requests: 0,
    retries: 0,
    conditional: 0,
    notModified: 0,
    ranged: 0,
    bytes: 0,
    fileReads: 0,
    inFlight: 0,
    byHost: {},
  };
}
