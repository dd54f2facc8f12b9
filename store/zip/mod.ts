/**
 * Zip reading for wheels (product code, used by the installer and the index client).
 *
 * ```ts
 * const zip = await openZip(bytes);              // or openZip(await openFileSource(path))
 * zip.assertSafe();                              // one clear error for unsafe members
 * const metadata = await zip.readText("pkg-1.0.dist-info/METADATA");
 * ```
 *
 * @module
 */
export { ZipError, type ZipErrorCode } from "./errors.ts";
export { inflateRaw, inflateRawBytes } from "./inflate.ts";
export { decodeName, nameProblems, type ZipProblem, type ZipProblemKind } from "./names.ts";
export {
  openZip,
  type OpenZipOptions,
  ZipArchive,
  type ZipEntry,
  type ZipLimits,
} from "./reader.ts";
export { bytesSource, type FileSource, openFileSource, type RandomAccessSource } from "./source.ts";
