// The public API (mod.ts) is documented: `deno doc --lint` finds no exported symbol without JSDoc
// and no exported type that refers to one mod.ts does not export.
import { assertEquals } from "./support/assert.ts";

const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("deno doc --lint mod.ts is clean", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", "mod.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, text);
});
