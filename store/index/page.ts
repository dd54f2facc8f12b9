/**
 * Parsers of simple-API project pages: PEP 691 JSON and PEP 503 HTML (with PEP 592 yanks, PEP 658
 * and 714 metadata attributes, hashes in URL fragments, relative URLs and `<base href>`).
 *
 * Pages are untrusted input: a parser returns files or throws one {@link EnvknitError} that names
 * the page; it never crashes or runs long on hostile text (the HTML scanner is linear).
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { redactUrl, stripCredentials } from "../http/url.ts";
import type { IndexFile } from "./types.ts";

/** The `Accept` header that prefers PEP 691 JSON and takes PEP 503 HTML otherwise. */
export const SIMPLE_ACCEPT: string = "application/vnd.pypi.simple.v1+json, " +
  "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

const JSON_TYPE = "application/vnd.pypi.simple.v1+json";
const SUPPORTED_MAJOR = 1;

/** A parsed page: its files, and the API version it declared (if any). */
export interface ParsedPage {
  /** The files the page lists. */
  files: IndexFile[];
  /** `meta.api-version` (JSON) or `pypi:repository-version` (HTML), when given. */
  apiVersion: string | null;
  /** Which format the page was in. */
  format: "json" | "html";
}

function pageError(url: string, problem: string): EnvknitError {
  return new EnvknitError(`invalid index page ${redactUrl(url)}: ${problem}`, {
    hints: ["the index answered with something that is not a PEP 503/691 project page"],
  });
}

/**
 * Parses a project page from its bytes. The format follows `Content-Type` (PEP 691 JSON, else
 * HTML); a missing or generic type is sniffed. `index` is recorded in each file.
 */
export function parseProjectPage(
  body: Uint8Array,
  contentType: string | null,
  url: string,
  index: string | null,
): ParsedPage {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw pageError(url, "it is not valid UTF-8");
  }
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  const json = type === JSON_TYPE || type === "application/json" ||
    (!type.includes("html") && /^\s*\{/.test(text));
  return json ? parseJsonPage(text, url, index) : parseHtmlPage(text, url, index);
}

function checkApiVersion(version: unknown, url: string): string | null {
  if (version === undefined || version === null) return null;
  if (typeof version !== "string" || !/^\d+\.\d+$/.test(version)) {
    throw pageError(url, `bad api-version ${JSON.stringify(version)}`);
  }
  if (Number(version.split(".")[0]) !== SUPPORTED_MAJOR) {
    throw pageError(url, `unsupported repository API version ${version} (envknit reads 1.x)`);
  }
  return version;
}

function hashesFrom(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return out;
  for (const [algo, digest] of Object.entries(value)) {
    if (typeof digest === "string" && /^[0-9a-fA-F]+$/.test(digest)) {
      out[algo.toLowerCase()] = digest.toLowerCase();
    }
  }
  return out;
}

/** Resolves `href` against the page, drops credentials; null when it is not a usable URL. */
function absoluteUrl(href: string, base: string): { url: string; fragment: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(href, base);
  } catch {
    return null;
  }
  if (!["https:", "http:", "file:"].includes(parsed.protocol)) return null;
  const fragment = parsed.hash.replace(/^#/, "");
  parsed.hash = "";
  return { url: stripCredentials(parsed.href), fragment };
}

/** `sha256=abc…` from a URL fragment (PEP 503: `#<hashname>=<hashvalue>`). */
function fragmentHash(fragment: string): Record<string, string> {
  const m = /^([A-Za-z0-9_]+)=([0-9a-fA-F]+)$/.exec(fragment);
  return m ? { [m[1].toLowerCase()]: m[2].toLowerCase() } : {};
}

/** The file name a URL points at (its last path segment, percent-decoded). */
function lastSegment(url: string): string {
  const path = new URL(url).pathname;
  const name = path.slice(path.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** PEP 691 JSON: `{"meta": {"api-version"}, "name", "files": [{filename, url, hashes, …}]}`. */
export function parseJsonPage(text: string, url: string, index: string | null): ParsedPage {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw pageError(url, `invalid JSON (${error instanceof Error ? error.message : error})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw pageError(url, "expected a JSON object");
  }
  const page = data as Record<string, unknown>;
  const meta = page.meta;
  const apiVersion = checkApiVersion(
    typeof meta === "object" && meta !== null
      ? (meta as Record<string, unknown>)["api-version"]
      : null,
    url,
  );
  if (!Array.isArray(page.files)) throw pageError(url, `"files" is not a list`);
  const files: IndexFile[] = [];
  for (const [i, raw] of page.files.entries()) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw pageError(url, `files[${i}] is not an object`);
    }
    const f = raw as Record<string, unknown>;
    if (typeof f.filename !== "string" || typeof f.url !== "string") {
      throw pageError(url, `files[${i}] lacks a filename or url`);
    }
    const resolved = absoluteUrl(f.url, url);
    if (!resolved || f.filename.includes("/")) continue;
    const hashes = { ...fragmentHash(resolved.fragment), ...hashesFrom(f.hashes) };
    // PEP 714 renamed dist-info-metadata to core-metadata; the new key wins when both are there.
    const metaValue = f["core-metadata"] ?? f["dist-info-metadata"];
    let coreMetadata: IndexFile["coreMetadata"] = false;
    if (metaValue === true) coreMetadata = true;
    else if (typeof metaValue === "object" && metaValue !== null) {
      const h = hashesFrom(metaValue);
      coreMetadata = Object.keys(h).length ? h : true;
    }
    const file: IndexFile = {
      filename: f.filename,
      url: resolved.url,
      hashes,
      requiresPython: typeof f["requires-python"] === "string" && f["requires-python"].trim()
        ? f["requires-python"].trim()
        : null,
      yanked: f.yanked === true || (typeof f.yanked === "string"),
      coreMetadata,
      index,
    };
    if (typeof f.yanked === "string" && f.yanked) file.yankedReason = f.yanked;
    if (typeof f.size === "number" && Number.isSafeInteger(f.size) && f.size >= 0) {
      file.size = f.size;
    }
    files.push(file);
  }
  return { files, apiVersion, format: "json" };
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
};

/** Decodes HTML character references in an attribute value or text. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(
    /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});?/g,
    (all, ref: string) => {
      if (ref[0] === "#") {
        const code = ref[1] === "x" || ref[1] === "X"
          ? parseInt(ref.slice(2), 16)
          : parseInt(ref.slice(1), 10);
        return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
          ? String.fromCodePoint(code)
          : "\ufffd";
      }
      return ENTITIES[ref.toLowerCase()] ?? all;
    },
  );
}

/** One start tag: its lower-case name and attributes (names lower-cased, values decoded). */
interface Tag {
  name: string;
  attrs: Map<string, string>;
}

/**
 * Scans start tags (`<a …>`, `<base …>`, `<meta …>`) in one linear pass. Comments, doctype and
 * end tags are skipped; attribute values may be double-, single- or un-quoted.
 */
function* startTags(html: string, wanted: Set<string>): Generator<Tag> {
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf("<", i);
    if (lt === -1) return;
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      if (end === -1) return;
      i = end + 3;
      continue;
    }
    let j = lt + 1;
    const nameStart = j;
    while (j < n && /[A-Za-z0-9]/.test(html[j])) j++;
    if (j === nameStart) {
      i = lt + 1; // `</a>`, `<!DOCTYPE …>` or a stray `<`
      continue;
    }
    const name = html.slice(nameStart, j).toLowerCase();
    const attrs = new Map<string, string>();
    // Attributes until `>`.
    while (j < n) {
      while (j < n && /[\s/]/.test(html[j])) j++;
      if (j >= n || html[j] === ">") break;
      const attrStart = j;
      while (j < n && !/[\s/>=]/.test(html[j])) j++;
      const attr = html.slice(attrStart, j).toLowerCase();
      while (j < n && /\s/.test(html[j])) j++;
      let value = "";
      if (html[j] === "=") {
        j++;
        while (j < n && /\s/.test(html[j])) j++;
        const quote = html[j];
        if (quote === '"' || quote === "'") {
          const end = html.indexOf(quote, j + 1);
          const stop = end === -1 ? n : end;
          value = html.slice(j + 1, stop);
          j = stop + 1;
        } else {
          const valueStart = j;
          while (j < n && !/[\s>]/.test(html[j])) j++;
          value = html.slice(valueStart, j);
        }
      }
      if (attr && !attrs.has(attr)) attrs.set(attr, decodeEntities(value));
      if (j === attrStart) j++; // never stall on a character no rule consumed
    }
    i = j + 1;
    if (wanted.has(name)) yield { name, attrs };
  }
}

/** PEP 503 HTML: one `<a href>` per file, with `data-*` attributes. */
export function parseHtmlPage(text: string, url: string, index: string | null): ParsedPage {
  const looksHtml = /<(?:!doctype\s+html|html|body|a)[\s>]/i.test(text) || text.trim() === "";
  if (!looksHtml) throw pageError(url, "it is neither HTML nor JSON");
  let base = url;
  let apiVersion: string | null = null;
  const files: IndexFile[] = [];
  for (const tag of startTags(text, new Set(["a", "base", "meta"]))) {
    if (tag.name === "base") {
      const href = tag.attrs.get("href");
      if (href) {
        try {
          base = new URL(href, url).href;
        } catch { /* an unusable base is ignored, as browsers do */ }
      }
      continue;
    }
    if (tag.name === "meta") {
      if (tag.attrs.get("name") === "pypi:repository-version") {
        apiVersion = checkApiVersion(tag.attrs.get("content"), url);
      }
      continue;
    }
    const href = tag.attrs.get("href");
    if (!href) continue;
    const resolved = absoluteUrl(href, base);
    if (!resolved) continue;
    const filename = lastSegment(resolved.url);
    if (!filename) continue;
    const metaAttr = tag.attrs.get("data-core-metadata") ??
      tag.attrs.get("data-dist-info-metadata");
    let coreMetadata: IndexFile["coreMetadata"] = false;
    if (metaAttr !== undefined) {
      const h = fragmentHash(metaAttr.trim());
      coreMetadata = Object.keys(h).length ? h : metaAttr.trim().toLowerCase() !== "false";
    }
    const requiresPython = tag.attrs.get("data-requires-python")?.trim() || null;
    const yanked = tag.attrs.get("data-yanked");
    const file: IndexFile = {
      filename,
      url: resolved.url,
      hashes: fragmentHash(resolved.fragment),
      requiresPython,
      yanked: yanked !== undefined,
      coreMetadata,
      index,
    };
    if (yanked) file.yankedReason = yanked;
    files.push(file);
  }
  return { files, apiVersion, format: "html" };
}
