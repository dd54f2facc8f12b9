// envknit must work with no checkout: `deno run -A https://…/cli/main.ts`. The checkout is served
// over HTTP on 127.0.0.1 and the demo's whole main job (init, add + lock, env create, install, run)
// is driven through that URL, with a fresh DENO_DIR so every module of ours (the .wasm, the
// embedded Python runtime) really comes over the wire. Only the npm packages' cache is copied in,
// so the test needs no network.
import { assertEquals, assertStringIncludes } from "../support/assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

Deno.test("the CLI runs from a URL: the demo's main job through http://127.0.0.1/cli/main.ts", async () => {
  const served: string[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      if (path.includes("..")) return new Response("no", { status: 400 });
      try {
        const body = await Deno.readFile(ROOT + path.slice(1));
        served.push(path);
        const type = TYPES[path.slice(path.lastIndexOf("."))] ?? "text/plain";
        return new Response(body, { headers: { "content-type": type } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  const denoDir = await Deno.makeTempDir({ prefix: "envknit-url-deno-" });
  try {
    const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
    const { npmCache } = JSON.parse(new TextDecoder().decode(info.stdout));
    const copy = await new Deno.Command("cp", { args: ["-a", npmCache, `${denoDir}/npm`] })
      .output();
    assertEquals(copy.code, 0, "copying the npm cache");
    const url = `http://127.0.0.1:${server.addr.port}/cli/main.ts`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}examples/two_versions.ts`, "--cli", url],
      env: { NO_COLOR: "1", DENO_DIR: denoDir },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, stdout + new TextDecoder().decode(out.stderr));
    assertStringIncludes(stdout, "greeter 1.0 (wordlib 1.0): hello, world!\n");
    assertStringIncludes(stdout, "greeter 2.0 (wordlib 2.0): BONJOUR, world!\n");
    // The modules came from the server, the resolver's WebAssembly among them.
    assertEquals(served.includes("/resolver/envknit_resolver.wasm"), true);
    assertEquals(served.includes("/store/runtime_files.generated.ts"), true);
  } finally {
    await Deno.remove(denoDir, { recursive: true }).catch(() => {});
  }
});
