import { assertEquals } from "../tests/support/assert.ts";
import { LINUX_312_TARGET } from "./testdata/environments.ts";

/**
 * The binding must work inside `deno bundle` output: the .wasm is imported as a Wasm ES module,
 * which the bundler inlines. Bundle a tiny entry that resolves with an in-memory provider, move
 * the bundle where nothing of the repository is reachable, and run it with no permissions.
 */
Deno.test("resolver/mod.ts works from a deno bundle (the wasm is inlined)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "envknit-bundle-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "envknit-bundle-run-" });
  try {
    const mod = new URL("./mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/entry.ts`,
      `import { resolve, normalizeVersion } from ${JSON.stringify(mod)};
const environment = ${JSON.stringify(LINUX_312_TARGET)};
const versions: Record<string, string[]> = { a: ["1.0", "2.0"], b: ["0.5"] };
const result = await resolve({ requirements: ["a<2"], environment }, {
  listVersions: (name) => Promise.resolve(versions[name]?.map((version) => ({
    version, yanked: false, requiresPython: null, unavailable: null,
  })) ?? null),
  getMetadata: (name) => Promise.resolve({ requiresDist: name === "a" ? ["b"] : [], requiresPython: null }),
});
console.log(JSON.stringify({ v: normalizeVersion("1.0.0-RC1"), result: result.ok ? result.packages.map((p) => p.name + "==" + p.version) : result.explanation }));
`,
    );
    const bundle = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "-o", `${dir}/out.js`, `${dir}/entry.ts`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(bundle.code, 0, new TextDecoder().decode(bundle.stderr));
    await Deno.copyFile(`${dir}/out.js`, `${elsewhere}/out.js`);
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--no-remote", `${elsewhere}/out.js`],
      cwd: elsewhere,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
    assertEquals(JSON.parse(new TextDecoder().decode(run.stdout)), {
      v: "1.0.0rc1",
      result: ["a==1.0", "b==0.5"],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});

/**
 * `deno run https://…/cli/main.ts` imports the binding over HTTP, .wasm included. Serve the
 * repository from a loopback server and import `resolver/mod.ts` from there.
 */
Deno.test("resolver/mod.ts works when imported over HTTP (the wasm comes along)", async () => {
  const root = new URL("../", import.meta.url);
  const types: Record<string, string> = {
    ts: "application/typescript",
    wasm: "application/wasm",
    js: "text/javascript",
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path.includes("..")) return new Response("no", { status: 400 });
    try {
      const body = await Deno.readFile(new URL(`.${path}`, root));
      const ext = path.split(".").pop() ?? "";
      return new Response(body, { headers: { "content-type": types[ext] ?? "text/plain" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const dir = await Deno.makeTempDir({ prefix: "envknit-remote-" });
  try {
    const host = `127.0.0.1:${server.addr.port}`;
    await Deno.writeTextFile(
      `${dir}/entry.ts`,
      `import { resolve, compareVersions } from "http://${host}/resolver/mod.ts";
const environment = ${JSON.stringify(LINUX_312_TARGET)};
const result = await resolve({ requirements: ["a"], environment }, {
  listVersions: () => Promise.resolve([{ version: "1.0", yanked: false, requiresPython: null, unavailable: null }]),
  getMetadata: () => Promise.resolve({ requiresDist: [], requiresPython: null }),
});
console.log(JSON.stringify([compareVersions("1.0", "1.0.0"), result.ok]));
`,
    );
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-config",
        "--reload",
        `--allow-import=${host}`,
        `${dir}/entry.ts`,
      ],
      cwd: dir,
      env: { DENO_DIR: `${dir}/deno-dir` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
    assertEquals(JSON.parse(new TextDecoder().decode(run.stdout)), [0, true]);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
