// `deno task demo` is the README's main job: it must keep working exactly as shown there.
import { assertEquals, assertStringIncludes } from "../support/assert.ts";

Deno.test("deno task demo: two versions of one package, each with its locked dependency, in one process", async () => {
  const demo = new URL("../../examples/two_versions.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", demo],
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, stdout + new TextDecoder().decode(out.stderr));
  assertStringIncludes(stdout, "greeter 1.0 (wordlib 1.0): hello, world!\n");
  assertStringIncludes(stdout, "greeter 2.0 (wordlib 2.0): BONJOUR, world!\n");
});
