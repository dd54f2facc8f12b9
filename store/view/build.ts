/**
 * Environment views (DEVELOPERS.md, "Environment views"): `views/<key>/` is a virtual
 * environment whose site-packages is a folder of links into the store, so `<view>/bin/python`,
 * started with nothing set, is the locked environment and only that. This is the TypeScript twin
 * of `runtime_py/tests/support/view_factory.py` and builds the same folder for the same inputs
 * (`view_test.ts` compares them).
 *
 * A view is built in `views/.tmp/<random>/` and renamed into place, so a folder at its final path
 * is complete; it never changes afterwards (other inputs give another key). Nothing is copied:
 * site-packages holds links to the entries' top-level items, `bin/python*` links to the base
 * interpreter.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { sha256Hex } from "../../core/sha256.ts";
import type { StoreLayout } from "../layout.ts";
import { cleanPythonEnv, type ViewProbe } from "./probe.ts";
import { isDirectory, isFile } from "../../core/file_kind.ts";

/** The `format` of `view.json` written here (the runtime's `view.VIEW_FORMAT`). */
export const VIEW_FORMAT = 1;
/** The file that describes a view (written last). */
export const VIEW_FILE = "view.json";

/** Top-level names of an entry that are never linked. */
const SKIPPED = new Set([".envknit-entry.json", "__pycache__"]);
/** The store's own folders of an entry: linked only when one is a regular package. */
const STORE_FOLDERS = new Set(["bin", "include", "data"]);
/** The module that routes an environment's islands at start-up (`_envknit_islands.pth`). */
const ISLANDS_MODULE = "_envknit_islands";
/** The runtime's package name: the view links it to the runtime, whatever the entries hold. */
const RUNTIME_NAME = "envknit";

/** One chosen store entry. */
export interface ViewEntry {
  /** PEP 503 name. */
  name: string;
  /** Version. */
  version: string;
  /** Real path of `packages/<name>/<version>/<hash16>`. */
  path: string;
}

/** What a view is made of: everything its key names, and what its `view.json` records. */
export interface ViewSpec {
  /** Real path of the store root (`$ENVKNIT_HOME`). */
  envknitHome: string;
  /** Real path of the lock file. */
  lock: string;
  /** The environment's name. */
  environment: string;
  /** Whether dev packages are included. */
  dev: boolean;
  /** The interpreter's probe. */
  probe: ViewProbe;
  /** The entries `install` chose, in the lock's order (sorted by name). */
  entries: ViewEntry[];
  /** The runtime package folder, `$ENVKNIT_HOME/runtime/<version>/envknit`. */
  runtime: string;
  /** The runtime's version (`ENVKNIT_VERSION`). */
  runtimeVersion: string;
  /**
   * More members of `view.json` (e.g. the islands of the environment), written after the
   * standard ones. They are not part of the key: whatever decides them must be in the inputs.
   */
  extra?: Record<string, unknown>;
}

/**
 * The view's key: the first 16 hex digits of the sha256 of the compact JSON array
 * `["envknit-view", 1, lock, environment, dev, target, xy, version, [entry paths]]`, followed by
 * view.json's `islands` for an environment with islands.
 */
export async function viewKey(spec: ViewSpec): Promise<string> {
  const identity = [
    "envknit-view",
    VIEW_FORMAT,
    spec.lock,
    spec.environment,
    spec.dev,
    spec.probe.target,
    spec.probe.xy,
    spec.runtimeVersion,
    spec.entries.map((e) => e.path),
    // An environment with islands (issue #16): how they route is part of what the view is.
    ...(spec.extra?.islands ? [spec.extra.islands] : []),
  ];
  return (await sha256Hex(JSON.stringify(identity))).slice(0, 16);
}

/** The contents of `view.json` for `spec` under `key` (the runtime reads it; islands extend it). */
export function viewDocument(spec: ViewSpec, key: string): Record<string, unknown> {
  const { probe } = spec;
  return {
    format: VIEW_FORMAT,
    key,
    lock: spec.lock,
    environment: spec.environment,
    dev: spec.dev,
    envknit_home: spec.envknitHome,
    runtime: spec.runtime,
    interpreter: {
      target: probe.target,
      home: probe.home,
      version: probe.version,
      site_packages: probe.site_packages,
    },
    entries: spec.entries.map((e) => ({ name: e.name, version: e.version, path: e.path })),
    ...spec.extra,
  };
}

/** `sh` single quotes (a `'` written as `'"'"'`). */
function shQuote(text: string): string {
  return `'${text.replaceAll("'", `'"'"'`)}'`;
}

/** A view's `bin/<name>`: the entry's script with `ENVKNIT_PYTHON` set to the view's python. */
export function launcher(view: string, script: string): string {
  return "#!/bin/sh\n" +
    "# envknit view: runs a script of the environment with the view's python\n" +
    `ENVKNIT_PYTHON=${shQuote(`${view}/bin/python`)}\n` +
    "export ENVKNIT_PYTHON\n" +
    `exec ${shQuote(script)} "$@"\n`;
}

/** Code-point order, as Python's `sorted()` of strings. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listDir(path: string): string[] {
  return [...Deno.readDirSync(path)].map((e) => e.name).sort(byCodePoint);
}

function linkable(entry: string, name: string): boolean {
  if (SKIPPED.has(name) || name.startsWith(".")) return false;
  if (STORE_FOLDERS.has(name)) return isFile(`${entry}/${name}/__init__.py`);
  return true;
}

/**
 * Links `target` to the first source; when the first is a folder and others are folders too (a
 * namespace package spread over several entries), `target` becomes a real folder holding the
 * union of their children, placed the same way.
 */
function place(target: string, sources: string[]): void {
  const folders = isDirectory(sources[0]) ? sources.filter(isDirectory) : [];
  if (folders.length < 2) {
    Deno.symlinkSync(sources[0], target);
    return;
  }
  Deno.mkdirSync(target);
  const children = new Map<string, string[]>();
  for (const folder of folders) {
    for (const child of listDir(folder)) {
      if (child === "__pycache__") continue;
      const list = children.get(child) ?? [];
      list.push(`${folder}/${child}`);
      children.set(child, list);
    }
  }
  for (const child of [...children.keys()].sort(byCodePoint)) {
    place(`${target}/${child}`, children.get(child)!);
  }
}

/**
 * The links of a view's site-packages: every linkable top-level name of every entry (the first
 * entry wins a name; folders of the same name are merged), then `envknit` to the runtime.
 */
export function fillSitePackages(site: string, entries: ViewEntry[], runtime: string): void {
  const names = new Map<string, string[]>();
  for (const entry of entries) {
    for (const name of listDir(entry.path)) {
      if (!linkable(entry.path, name) || name === RUNTIME_NAME) continue;
      const list = names.get(name) ?? [];
      list.push(`${entry.path}/${name}`);
      names.set(name, list);
    }
  }
  names.set(RUNTIME_NAME, [runtime]);
  for (const name of [...names.keys()].sort(byCodePoint)) {
    place(`${site}/${name}`, names.get(name)!);
  }
}

/** Writes the view of `spec` into the empty folder `dir`, to live at `final`. */
function writeView(dir: string, final: string, spec: ViewSpec, key: string): void {
  const { probe } = spec;
  Deno.mkdirSync(`${dir}/bin`);
  Deno.writeTextFileSync(
    `${dir}/pyvenv.cfg`,
    `home = ${probe.home}\ninclude-system-site-packages = false\nversion = ${probe.version}\n` +
      `executable = ${probe.target}\n`,
  );
  const pythons = ["python", "python3", `python${probe.xy}`];
  for (const name of pythons) Deno.symlinkSync(probe.target, `${dir}/bin/${name}`);
  const taken = new Set(pythons);
  for (const entry of spec.entries) {
    const scripts = `${entry.path}/bin`;
    if (!isDirectory(scripts)) continue;
    for (const name of listDir(scripts)) {
      if (taken.has(name) || !isFile(`${scripts}/${name}`)) continue;
      taken.add(name);
      const out = `${dir}/bin/${name}`;
      Deno.writeTextFileSync(out, launcher(final, `${scripts}/${name}`));
      Deno.chmodSync(out, 0o755);
    }
  }
  const site = `${dir}/${probe.site_packages}`;
  Deno.mkdirSync(site, { recursive: true });
  fillSitePackages(site, spec.entries, spec.runtime);
  if (spec.extra?.islands) {
    // An environment with islands (DEVELOPERS.md, "Islands"): the routing module, alone (not the
    // envknit package), and the line that runs it at start-up with view.json's islands.
    Deno.symlinkSync(`${spec.runtime}/isolation/islands.py`, `${site}/${ISLANDS_MODULE}.py`);
    Deno.writeTextFileSync(`${site}/${ISLANDS_MODULE}.pth`, `import ${ISLANDS_MODULE}\n`);
  }
  Deno.writeTextFileSync(
    `${dir}/${VIEW_FILE}`,
    JSON.stringify(viewDocument(spec, key), null, 2) + "\n",
  );
}

/** Whether the view folder `view` is in place (its `view.json` is written last, before the rename). */
export function viewExists(view: string): boolean {
  return viewUsed(view) !== null;
}

/**
 * When the view at `view` was last used (its `view.json`'s mtime, which `run` and `env python`
 * refresh at most once a day: {@link touchView}), or null when it is not in place.
 */
export function viewUsed(view: string): number | null {
  try {
    const info = Deno.statSync(`${view}/${VIEW_FILE}`);
    return info.isFile ? info.mtime?.getTime() ?? 0 : null;
  } catch {
    return null;
  }
}

/** How stale a view's "last used" may get before {@link touchView} refreshes it. */
const TOUCH_MS = 24 * 3600 * 1000;

/** Marks the view as used now when its mark is older than a day (a read-only store: ignored). */
export function touchView(view: string, used: number): void {
  if (Date.now() - used < TOUCH_MS) return;
  try {
    const now = new Date();
    Deno.utimeSync(`${view}/${VIEW_FILE}`, now, now);
  } catch {
    // not marked: gc may then remove it sooner
  }
}

/**
 * Builds the view of `spec` (or finds it in place) and returns its folder, `views/<key>/` of the
 * store at `spec.envknitHome`. Unless `verify` is false, a view built now is started once: its
 * python must report the view as `sys.prefix` and the probe's `base_prefix`, else it is removed.
 *
 * @throws EnvknitError when the view cannot be written or its python does not start as the view.
 */
export async function buildView(
  layout: StoreLayout,
  spec: ViewSpec,
  options: { key?: string; verify?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<string> {
  const key = options.key ?? await viewKey(spec);
  const final = `${spec.envknitHome}/views/${key}`;
  if (isFile(`${final}/${VIEW_FILE}`)) return final;
  const tmpRoot = `${spec.envknitHome}/views/.tmp`;
  const tmp = `${tmpRoot}/${crypto.randomUUID().replaceAll("-", "")}`;
  try {
    Deno.mkdirSync(tmp, { recursive: true });
    writeView(tmp, final, spec, key);
    try {
      Deno.renameSync(tmp, final);
    } catch (error) {
      if (!isFile(`${final}/${VIEW_FILE}`)) throw error;
      // Another builder was first: same key, same contents.
      Deno.removeSync(tmp, { recursive: true });
    }
  } catch (error) {
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch {
      // never created, or already renamed
    }
    if (error instanceof EnvknitError) throw error;
    throw new EnvknitError(
      `cannot build the environment view ${final}: ${
        error instanceof Error ? error.message : error
      }`,
      { hints: [`check that ${layout.root} is writable`] },
    );
  }
  if (options.verify !== false) await checkView(final, spec.probe, options.env);
  return final;
}

/**
 * The view's python is that environment: `sys.prefix` is the view, `sys.base_prefix` the
 * probe's. Otherwise the view is removed and the error names the interpreter.
 */
export async function checkView(
  view: string,
  probe: ViewProbe,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<void> {
  let answer = "";
  try {
    const out = await new Deno.Command(`${view}/bin/python`, {
      args: ["-I", "-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
      env: cleanPythonEnv(env),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    answer = new TextDecoder().decode(out.stdout);
  } catch (error) {
    answer = `(${error instanceof Error ? error.message : error})`;
  }
  if (answer !== `${view}\n${probe.base_prefix}\n`) {
    try {
      Deno.removeSync(view, { recursive: true });
    } catch {
      // removed by someone else
    }
    throw new EnvknitError(
      `${view}/bin/python does not start as the environment view: ${JSON.stringify(answer)}`,
      {
        hints: [
          `is ${probe.target} a wrapper that does not pass its argv[0] on? ` +
          "name the real interpreter with --python or ENVKNIT_PYTHON",
        ],
      },
    );
  }
}
