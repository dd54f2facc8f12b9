// `deno task compile` must embed everything the CLI can load: each command (imported lazily), the
// resolver's WebAssembly, the Python runtime, the zip reader and the YAML package. A module left
// out would only fail when a user runs that command from the binary.
//
// The real base binary (`denort`) is downloaded by `deno compile` and this machine has no network,
// so the test names Deno itself as the base (`DENORT_BIN`): the output cannot run as envknit, but
// `deno compile` prints the tree of what it embedded, which is what is checked here.
import { assert, assertEquals } from "../support/assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The paths of `deno compile`'s "Embedded Files" tree (`├──` files, `├─┬` folders). */
function embeddedPaths(listing: string): string[] {
  const paths: string[] = [];
  const folders: string[] = [];
  for (const line of listing.split("\n")) {
    const at = line.search(/[├└]/);
    if (at === -1 || at % 2 !== 0) continue;
    const depth = at / 2;
    const isFolder = line.slice(at + 1, at + 3) === "─┬";
    const name = line.slice(at + 4).replace(/ \([^)]*\)$/, "");
    folders.length = depth;
    paths.push([...folders, name].join("/"));
    if (isFolder) folders.push(name);
  }
  return paths;
}

Deno.test("deno task compile embeds every command, the resolver's wasm and the runtime", async () => {
  const dir = await Deno.makeTempDir({ prefix: "envknit-compile-" });
  try {
    // The task's own command, with the binary written to the temp folder instead of dist/.
    const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
    const words = (config.tasks.compile as string).split(" ");
    assertEquals(words.slice(0, 2), ["deno", "compile"]);
    words[words.indexOf("-o") + 1] = `${dir}/envknit`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: words.slice(1),
      cwd: ROOT,
      env: { NO_COLOR: "1", DENORT_BIN: Deno.execPath() },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, text);
    const paths = embeddedPaths(text);
    const has = (suffix: string) => paths.some((p) => `/${p}`.endsWith(suffix));

    const commands = [];
    for await (const e of Deno.readDir(`${ROOT}cli/commands`)) {
      if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        commands.push(e.name);
      }
    }
    assert(commands.length > 20, `commands found: ${commands.join(", ")}`);
    const missing = [
      ...commands.map((name) => `/cli/commands/${name}`),
      "/resolver/envknit_resolver.wasm",
      "/store/runtime_files.generated.ts",
      "/store/install/build_entry.ts",
      "/store/zip/reader.ts",
      "/project/config.ts",
    ].filter((suffix) => !has(suffix));
    assertEquals(missing, [], `not embedded; the listing was:\n${text}`);
    assert(paths.some((p) => p.includes("/yaml/")), "the yaml npm package");
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
