// Issue #14.8: console and gui script names from entry_points.txt become files in bin/, commands
// on PATH and words in generated shell scripts: anything but a plain name is refused.
import { assert, assertEquals } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { parseScriptEntryPoints, safeScriptName } from "../../store/install/scripts.ts";
import { makeProject, writeTestLock } from "../e2e/install_support.ts";
import { assertRefused, envknit } from "./support.ts";

const HOSTILE = [
  "evil;rm -rf ~",
  "-rf",
  "--help",
  "a b",
  "$(touch pwned)",
  "`id`",
  "x|y",
  "x&y",
  "x>y",
  "../escape",
  "sub/name",
  "back\\slash",
  ".hidden",
  "quote'd",
  'dq"x',
  "star*",
  "new\nline",
  "tab\tx",
  "",
];

Deno.test("script names: plain names pass, anything else is refused", () => {
  for (
    const name of ["pytest", "pip3.11", "django-admin", "py.test", "f2py", "c++filt", "_x", "9to5"]
  ) {
    assert(safeScriptName(name), name);
  }
  for (const name of HOSTILE) assert(!safeScriptName(name), JSON.stringify(name));
  assert(!safeScriptName("x".repeat(256)));
});

for (const group of ["console_scripts", "gui_scripts"]) {
  for (const name of ["evil;rm -rf ~", "-rf", "$(touch pwned)", "../escape"]) {
    Deno.test(`install refuses the ${group} name ${JSON.stringify(name)}`, async () => {
      const wheel = await buildWheel({
        name: "scripted",
        version: "1.0",
        entryPoints: { [group]: { ok: "scripted:main", [name]: "scripted:main" } },
      });
      await using index = await startIndex({ projects: { scripted: [wheel] } });
      await using p = await makeProject();
      await writeTestLock(p.lockPath, { default: [{ wheels: [wheel] }] }, index);
      await Deno.mkdir(p.home, { recursive: true });
      await assertRefused(
        ["install"],
        { cwd: p.project, env: p.env, home: p.home },
        /^error: scripted-1\.0-py3-none-any\.whl: entry_points\.txt line \d+: script name is not a plain name/,
      );
      assert(!(await Deno.stat(`${p.project}/pwned`).then(() => true, () => false)));
    });
  }
}

Deno.test("entry_points.txt: hostile names are refused whatever the group order", () => {
  for (const name of HOSTILE.filter((n) => n !== "" && !n.includes("\n"))) {
    const text = `[console_scripts]\n${name} = pkg:main\n`;
    let refused = false;
    try {
      parseScriptEntryPoints(text, "entry_points.txt");
    } catch {
      refused = true;
    }
    assert(refused, JSON.stringify(name));
  }
  // Other groups are not scripts: their names are not file names.
  assertEquals(parseScriptEntryPoints("[pytest11]\n-x y = pkg:plugin\n", "e"), []);
});

Deno.test("a plain script name installs and runs", async () => {
  const wheel = await buildWheel({
    name: "scripted",
    version: "1.0",
    files: { "scripted/__init__.py": "def main():\n    print('hello from scripted')\n" },
    entryPoints: { console_scripts: { "scripted-tool.v2": "scripted:main" } },
  });
  await using index = await startIndex({ projects: { scripted: [wheel] } });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, { default: [{ wheels: [wheel] }] }, index);
  assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
  const r = await envknit(["run", "--", "scripted-tool.v2"], { cwd: p.project, env: p.env });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout.trim(), "hello from scripted");
});
