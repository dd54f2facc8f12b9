import { assertEquals, assertThrows } from "../../tests/support/assert.ts";
import { PYTHON as python } from "../../tests/support/python.ts";
import { EnvknitError } from "../../core/errors.ts";
import { entryPointScript, parseScriptEntryPoints, rewriteScript } from "./scripts.ts";

Deno.test("parseScriptEntryPoints: console and gui scripts, extras, comments, other groups", () => {
  const text =
    "# comment\n[console_scripts]\nfoo = foo.cli:main\nbar=bar:App.run [extra1, extra2]\n" +
    "; another comment\n\n[gui_scripts]\nbaz = baz:gui\n[foo.plugins]\nignored = foo:x\n";
  assertEquals(parseScriptEntryPoints(text, "t"), [
    { name: "foo", group: "console_scripts", module: "foo.cli", attribute: "main", extras: [] },
    {
      name: "bar",
      group: "console_scripts",
      module: "bar",
      attribute: "App.run",
      extras: ["extra1", "extra2"],
    },
    { name: "baz", group: "gui_scripts", module: "baz", attribute: "gui", extras: [] },
  ]);
});

Deno.test("parseScriptEntryPoints: unsafe names and references are refused", () => {
  for (const line of ["../x = a:b", "x/y = a:b", "x = a", "x = a:b()", "x = os;rm:b", ". = a:b"]) {
    assertThrows(() => parseScriptEntryPoints(`[console_scripts]\n${line}\n`, "t"), EnvknitError);
  }
});

async function runScript(text: string, args: string[], env: Record<string, string>) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/mod`);
    await Deno.writeTextFile(
      `${dir}/mod/__init__.py`,
      "import sys\nclass App:\n    @staticmethod\n    def run():\n        print('run', sys.argv[1:], sys.executable)\n        return 4\n",
    );
    await Deno.writeTextFile(`${dir}/tool`, text, { mode: 0o755 });
    await Deno.chmod(`${dir}/tool`, 0o755);
    const out = await new Deno.Command(`${dir}/tool`, {
      args,
      env: { PYTHONPATH: dir, ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("entry-point scripts run under $ENVKNIT_PYTHON through /bin/sh, and as Python files", async () => {
  const script = entryPointScript({
    name: "tool",
    group: "console_scripts",
    module: "mod",
    attribute: "App.run",
    extras: [],
  });
  const r = await runScript(script, ["a b", "c"], {
    ENVKNIT_PYTHON: python,
    PATH: "/usr/bin:/bin",
  });
  assertEquals(r.code, 4, r.stderr);
  assertEquals(r.stdout, `run ['a b', 'c'] ${python}\n`);
  // Python can also run the file itself: the sh line is a string statement for it.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/tool`, script);
    await Deno.writeTextFile(`${dir}/mod.py`, "class App:\n    run = staticmethod(lambda: 0)\n");
    const out = await new Deno.Command(python, { args: [`${dir}/tool`], env: { PYTHONPATH: dir } })
      .output();
    assertEquals(out.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rewriteScript: #!python becomes the launcher, options kept; other scripts untouched", async () => {
  const text = new TextEncoder().encode("#!python -u\nimport sys\nprint('hi', sys.argv[1:])\n");
  const rewritten = new TextDecoder().decode(rewriteScript(text)!);
  assertEquals(rewritten.split("\n")[1], `'''exec' "\${ENVKNIT_PYTHON:-python3}" -u "$0" "$@"`);
  const r = await runScript(rewritten, ["x"], { ENVKNIT_PYTHON: python, PATH: "/usr/bin:/bin" });
  assertEquals([r.code, r.stdout], [0, "hi ['x']\n"]);
  assertEquals(rewriteScript(new TextEncoder().encode("#!/bin/bash\necho\n")), null);
  assertEquals(rewriteScript(new TextEncoder().encode("#!pythonista\n")), null);
  assertEquals(rewriteScript(new TextEncoder().encode("#!pythonw\n")) !== null, true);
});
