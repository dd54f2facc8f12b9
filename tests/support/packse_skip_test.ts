// A clone without the packse scenarios: the tests that need them skip with one line saying how to
// get them, and fail instead in CI (where the scenarios must be present). Runs packse_test.ts in a
// `deno test` subprocess pointed at a folder without scenarios/.
import { assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { packseMissingLine } from "./packse.ts";

async function testWithout(dir: string, env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", new URL("./packse_test.ts", import.meta.url).pathname],
    // CI and the strict flag are off ("" counts as unset) unless `env` turns them on.
    env: { ENVKNIT_PACKSE_DIR: dir, CI: "", ENVKNIT_REQUIRE_PACKSE: "", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test("without the scenarios the packse tests skip with one line, and fail in CI", async () => {
  const missing = await Deno.makeTempDir({ prefix: "envknit-no-packse-" });
  try {
    const local = await testWithout(missing, {});
    assertEquals(local.code, 0, local.text);
    const why = local.text.split("\n").filter((l) => l.includes("packse scenarios not found"));
    assertEquals(why, [packseMissingLine(`${missing}/scenarios`)], local.text);
    assertStringIncludes(why[0], "ENVKNIT_PACKSE_DIR");
    assertMatch(local.text, /ok \| \d+ passed \| 0 failed \| 2 ignored/);

    const strictSettings: Record<string, string>[] = [{ CI: "true" }, {
      ENVKNIT_REQUIRE_PACKSE: "1",
    }];
    for (const strict of strictSettings) {
      const ci = await testWithout(missing, strict);
      assertEquals(ci.code, 1, ci.text);
      assertStringIncludes(ci.text, `packse scenarios not found at ${missing}/scenarios`);
      assertMatch(ci.text, /FAILED \| \d+ passed \| 2 failed/);
    }
  } finally {
    await Deno.remove(missing, { recursive: true });
  }
});
