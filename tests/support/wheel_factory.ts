/**
 * Builds wheels for tests: spec-valid ones (PEP 427 / the binary distribution format, core
 * metadata 2.1+) and deliberately broken ones, plus minimal sdists so an index can list them.
 *
 * ```ts
 * const wheel = await buildWheel({ name: "demo", version: "1.0", requiresDist: ["idna>=3"] });
 * wheel.filename; // "demo-1.0-py3-none-any.whl"
 * ```
 *
 * @module
 */
import { compressTags, expandTags, filenameName, moduleName, normalizeVersion } from "./names.ts";
import { writeZip, type ZipWriterEntry } from "./zip_writer.ts";
import { sha256Hex } from "../../core/sha256.ts";

/** File contents: text (UTF-8 encoded) or bytes. */
export type Content = string | Uint8Array;

/** The `.data/` subdirectories a wheel may carry, each a map of relative path → contents. */
export interface WheelData {
  /** Installed to the environment's `bin/` (scripts). */
  scripts?: Record<string, Content>;
  /** C headers (`include/`). */
  headers?: Record<string, Content>;
  /** Data files (installed under the prefix). */
  data?: Record<string, Content>;
  /** Pure-Python modules. */
  purelib?: Record<string, Content>;
  /** Platform-specific modules. */
  platlib?: Record<string, Content>;
}

/** Ways to break a wheel. Each option adds or changes one thing. */
export interface BrokenWheel {
  /** RECORD gives this file (`true`: the first file) a wrong sha256. */
  recordHash?: string | true;
  /** RECORD gives this file (`true`: the first file) a wrong size. */
  recordSize?: string | true;
  /** Add a member that RECORD does not list. */
  unrecorded?: string;
  /** RECORD lists this path, which the archive does not contain. */
  recordOnly?: string;
  /** Add a member whose name climbs out with `..` (`true`: `../escaped.py`). */
  traversal?: string | true;
  /** Add a member with an absolute name (`true`: `/tmp/envknit-absolute.py`). */
  absolute?: string | true;
  /** Add a symbolic-link member (Unix mode 0o120777; `true`: `<module>/link` → `/etc/passwd`). */
  symlink?: { path: string; target: string } | true;
  /** Add a second member with this name (`true`: the first file). */
  duplicate?: string | true;
  /** Declare a wrong CRC-32 for this member (`true`: the first file). */
  badCrc?: string | true;
  /** Leave out `.dist-info/METADATA`. */
  missingMetadata?: boolean;
  /** Leave out `.dist-info/WHEEL`. */
  missingWheelFile?: boolean;
  /** Leave out `.dist-info/RECORD`. */
  missingRecord?: boolean;
  /**
   * Truncate the archive: a positive number keeps that many bytes, a negative one cuts that many
   * from the end.
   */
  truncate?: number;
  /** Further members, written as given before the `.dist-info` directory (any name or mode). */
  extraMembers?: ZipWriterEntry[];
}

/** What to build. Only `name` and `version` are required. */
export interface WheelSpec {
  /** The project name as the author spells it (`Foo.Bar`); normalized in the filename. */
  name: string;
  /** A PEP 440 version; normalized in the filename and METADATA. */
  version: string;
  /** Tags (each may be a compressed set); together one tag set. Default `["py3-none-any"]`. */
  tags?: string[];
  /** A build tag (must start with a digit), e.g. `"1"`. */
  build?: string;
  /** `Requires-Dist` lines (PEP 508). */
  requiresDist?: string[];
  /** `Requires-Python`, omitted when absent. */
  requiresPython?: string;
  /** `Provides-Extra` lines. */
  providesExtra?: string[];
  /** `Summary`. */
  summary?: string;
  /** Further METADATA header lines, as `[field, value]`. */
  metadataFields?: [string, string][];
  /** `Metadata-Version` (default `"2.1"`). */
  metadataVersion?: string;
  /** Files at the root of the wheel, path → contents. Default: `<module>/__init__.py`. */
  files?: Record<string, Content>;
  /** `entry_points.txt`: group → name → object reference (e.g. `{console_scripts: {x: "m:f"}}`). */
  entryPoints?: Record<string, Record<string, string>>;
  /** Files in `<name>-<version>.data/<key>/`. */
  data?: WheelData;
  /** `Root-Is-Purelib` (default: true when every tag's platform is `any`). */
  rootIsPurelib?: boolean;
  /** Compression of every member (default `"deflate"`). */
  compression?: "deflate" | "store";
  /** Write data descriptors after each member. */
  dataDescriptors?: boolean;
  /** Break the wheel on purpose. */
  broken?: BrokenWheel;
}

/** A built file, ready to be written to disk or served by the loopback index. */
export interface BuiltFile {
  /** The file name (`demo-1.0-py3-none-any.whl`, `demo-1.0.tar.gz`). */
  filename: string;
  /** The file's bytes. */
  bytes: Uint8Array;
  /** Lowercase hex SHA-256 of `bytes`. */
  sha256: string;
  /** `bytes.length`. */
  size: number;
  /** The project name as given. */
  name: string;
  /** The normalized version. */
  version: string;
  /** `Requires-Python` of the file, or null. */
  requiresPython: string | null;
  /** The core metadata text (wheel METADATA, sdist PKG-INFO); null when missing. */
  metadata: string | null;
}

/** A built wheel. */
export interface BuiltWheel extends BuiltFile {
  /** The wheel's tags, expanded (`py2.py3-none-any` → two). */
  tags: string[];
  /** The `.dist-info` directory name. */
  distInfo: string;
}

const encoder = new TextEncoder();

function bytesOf(content: Content): Uint8Array {
  return typeof content === "string" ? encoder.encode(content) : content;
}

/** Lowercase hex SHA-256 of `bytes`. */
export { sha256Hex };

/** The RECORD form of a SHA-256: `sha256=` + unpadded URL-safe base64. */
export async function recordHash(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  const b64 = btoa(String.fromCharCode(...digest));
  return `sha256=${b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The METADATA text for `spec` (core metadata, RFC 822 style). */
export function metadataText(spec: WheelSpec): string {
  const lines = [
    `Metadata-Version: ${spec.metadataVersion ?? "2.1"}`,
    `Name: ${spec.name}`,
    `Version: ${normalizeVersion(spec.version)}`,
  ];
  if (spec.summary !== undefined) lines.push(`Summary: ${spec.summary}`);
  if (spec.requiresPython !== undefined) lines.push(`Requires-Python: ${spec.requiresPython}`);
  for (const extra of spec.providesExtra ?? []) lines.push(`Provides-Extra: ${extra}`);
  for (const req of spec.requiresDist ?? []) lines.push(`Requires-Dist: ${req}`);
  for (const [field, value] of spec.metadataFields ?? []) lines.push(`${field}: ${value}`);
  return lines.join("\n") + "\n\n";
}

function entryPointsText(groups: Record<string, Record<string, string>>): string {
  return Object.entries(groups)
    .map(([group, entries]) =>
      `[${group}]\n` +
      Object.entries(entries).map(([name, target]) => `${name} = ${target}\n`).join("")
    )
    .join("\n");
}

/** The wheel filename for a name, version, tags and optional build tag. */
export function wheelFilename(
  name: string,
  version: string,
  tags: string[] = ["py3-none-any"],
  build?: string,
): string {
  const parts = [filenameName(name), normalizeVersion(version).replace(/-/g, "_")];
  if (build !== undefined) parts.push(build);
  parts.push(compressTags(tags));
  return `${parts.join("-")}.whl`;
}

function pick(choice: string | true | undefined, first: string): string | undefined {
  return choice === true ? first : choice;
}

/** Builds a wheel (see {@link WheelSpec}); deterministic for a given spec. */
export async function buildWheel(spec: WheelSpec): Promise<BuiltWheel> {
  const version = normalizeVersion(spec.version);
  const tags = spec.tags ?? ["py3-none-any"];
  if (spec.build !== undefined && !/^[0-9][A-Za-z0-9_.]*$/.test(spec.build)) {
    throw new Error(`invalid build tag: ${JSON.stringify(spec.build)}`);
  }
  const filename = wheelFilename(spec.name, version, tags, spec.build);
  const expanded = [...new Set(tags.flatMap(expandTags))];
  const stem = `${filenameName(spec.name)}-${version}`;
  const distInfo = `${stem}.dist-info`;
  const broken = spec.broken ?? {};
  const method = spec.compression ?? "deflate";

  const files: [string, Uint8Array][] = Object.entries(
    spec.files ?? { [`${moduleName(spec.name)}/__init__.py`]: `__version__ = "${version}"\n` },
  ).map(([path, content]) => [path, bytesOf(content)]);
  for (const [key, entries] of Object.entries(spec.data ?? {})) {
    for (const [path, content] of Object.entries(entries as Record<string, Content>)) {
      files.push([`${stem}.data/${key}/${path}`, bytesOf(content)]);
    }
  }
  const metadata = metadataText({ ...spec, version });
  const rootIsPurelib = spec.rootIsPurelib ?? expanded.every((t) => t.endsWith("-any"));
  const wheelFile = [
    "Wheel-Version: 1.0",
    "Generator: envknit-tests (0.1.0)",
    `Root-Is-Purelib: ${rootIsPurelib}`,
    ...expanded.map((t) => `Tag: ${t}`),
    ...(spec.build !== undefined ? [`Build: ${spec.build}`] : []),
  ].join("\n") + "\n";
  if (!broken.missingMetadata) files.push([`${distInfo}/METADATA`, encoder.encode(metadata)]);
  if (!broken.missingWheelFile) files.push([`${distInfo}/WHEEL`, encoder.encode(wheelFile)]);
  if (spec.entryPoints) {
    files.push([`${distInfo}/entry_points.txt`, encoder.encode(entryPointsText(spec.entryPoints))]);
  }

  const first = files[0]?.[0] ?? `${distInfo}/METADATA`;
  const badHash = pick(broken.recordHash, first);
  const badSize = pick(broken.recordSize, first);
  const record: string[] = [];
  for (const [path, data] of files) {
    let hash = await recordHash(data);
    if (path === badHash) hash = await recordHash(encoder.encode(`not the contents of ${path}`));
    const size = path === badSize ? data.length + 1 : data.length;
    record.push(`${csvField(path)},${hash},${size}`);
  }
  if (broken.recordOnly !== undefined) {
    record.push(`${csvField(broken.recordOnly)},${await recordHash(new Uint8Array())},0`);
  }
  record.push(`${distInfo}/RECORD,,`);

  // Members: the package files first, the extra (hostile) ones, then .dist-info with RECORD last,
  // as the format recommends.
  const members: ZipWriterEntry[] = [];
  const member = (name: string, data: Uint8Array, extra: Partial<ZipWriterEntry> = {}) =>
    members.push({ name, data, method, dataDescriptor: spec.dataDescriptors, ...extra });
  const isDistInfo = (path: string) => path.startsWith(`${distInfo}/`);
  const badCrc = pick(broken.badCrc, first);
  for (const [path, data] of files.filter(([p]) => !isDistInfo(p))) {
    member(path, data, path === badCrc ? { declaredCrc32: 0xdeadbeef } : {});
  }
  if (broken.unrecorded !== undefined) member(broken.unrecorded, encoder.encode("unrecorded\n"));
  const traversal = pick(broken.traversal, "../escaped.py");
  if (traversal !== undefined) member(traversal, encoder.encode("print('escaped')\n"));
  const absolute = pick(broken.absolute, "/tmp/envknit-absolute.py");
  if (absolute !== undefined) member(absolute, encoder.encode("print('absolute')\n"));
  if (broken.symlink) {
    const link = broken.symlink === true
      ? { path: `${moduleName(spec.name)}/link`, target: "/etc/passwd" }
      : broken.symlink;
    member(link.path, encoder.encode(link.target), { unixMode: 0o120777, method: "store" });
  }
  const duplicate = pick(broken.duplicate, first);
  if (duplicate !== undefined) member(duplicate, encoder.encode("# the duplicate\n"));
  members.push(...(broken.extraMembers ?? []));
  for (const [path, data] of files.filter(([p]) => isDistInfo(p))) {
    member(path, data, path === badCrc ? { declaredCrc32: 0xdeadbeef } : {});
  }
  if (!broken.missingRecord) {
    member(`${distInfo}/RECORD`, encoder.encode(record.join("\n") + "\n"));
  }

  let bytes = await writeZip(members);
  if (broken.truncate !== undefined) {
    bytes = bytes.slice(0, broken.truncate < 0 ? bytes.length + broken.truncate : broken.truncate);
  }
  return {
    filename,
    bytes,
    sha256: await sha256Hex(bytes),
    size: bytes.length,
    name: spec.name,
    version,
    requiresPython: spec.requiresPython ?? null,
    metadata: broken.missingMetadata ? null : metadata,
    tags: expanded,
    distInfo,
  };
}

/** What {@link buildSdist} builds. */
export interface SdistSpec {
  /** The project name. */
  name: string;
  /** The version. */
  version: string;
  /** `Requires-Python` in PKG-INFO (and for the index listing). */
  requiresPython?: string;
  /** `Requires-Dist` lines in PKG-INFO. */
  requiresDist?: string[];
  /** `Provides-Extra` lines in PKG-INFO. */
  providesExtra?: string[];
}

/**
 * A minimal source distribution (`name-version.tar.gz` holding `PKG-INFO`), for indexes that must
 * list an sdist; envknit installs wheels only and never builds one.
 */
export async function buildSdist(spec: SdistSpec): Promise<BuiltFile> {
  const version = normalizeVersion(spec.version);
  const stem = `${filenameName(spec.name)}-${version}`;
  const metadata = metadataText({ ...spec, version, metadataVersion: "2.1" });
  const tar = tarArchive([[`${stem}/PKG-INFO`, encoder.encode(metadata)]]);
  const gz = new Uint8Array(
    await new Response(
      new Blob([tar as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new CompressionStream("gzip"),
      ),
    ).arrayBuffer(),
  );
  return {
    filename: `${stem}.tar.gz`,
    bytes: gz,
    sha256: await sha256Hex(gz),
    size: gz.length,
    name: spec.name,
    version,
    requiresPython: spec.requiresPython ?? null,
    metadata,
  };
}

/** A ustar archive of regular files (enough for an sdist's PKG-INFO). */
function tarArchive(files: [string, Uint8Array][]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [path, data] of files) {
    const header = new Uint8Array(512);
    const put = (at: number, text: string) => header.set(encoder.encode(text), at);
    const octal = (at: number, width: number, n: number) =>
      put(at, n.toString(8).padStart(width - 1, "0") + "\0");
    put(0, path);
    octal(100, 8, 0o644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, data.length);
    octal(136, 12, 1580608922);
    put(148, "        ");
    put(156, "0");
    put(257, "ustar\u000000");
    const sum = header.reduce((a, b) => a + b, 0);
    put(148, sum.toString(8).padStart(6, "0") + "\0 ");
    blocks.push(header);
    const body = new Uint8Array(Math.ceil(data.length / 512) * 512);
    body.set(data);
    blocks.push(body);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
