/**
 * The one error type of zip reading. It is an {@link EnvknitError}, so a command that meets a
 * broken or hostile archive prints one `error:` line; `code` says which kind of failure it was so
 * callers (and tests) can tell them apart without matching messages.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";

/** What went wrong while reading an archive. */
export type ZipErrorCode =
  /** Not a zip file, or its end-of-central-directory record cannot be found. */
  | "not-zip"
  /** A structure points outside the file or overlaps another one, or a read came back short. */
  | "corrupt"
  /** A declared count or size exceeds the limits given to `openZip`. */
  | "limit"
  /** Compression method, encryption or multi-disk archives that envknit does not read. */
  | "unsupported"
  /** A member's data does not match its declared CRC-32 or size. */
  | "checksum"
  /** A member's name or type is unsafe to extract (see `ZipProblem`). */
  | "unsafe";

/** A zip archive that cannot be read, or that is unsafe to extract. */
export class ZipError extends EnvknitError {
  /** The kind of failure. */
  readonly code: ZipErrorCode;

  constructor(code: ZipErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "ZipError";
    this.code = code;
  }
}
