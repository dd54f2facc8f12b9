import { assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { envknitShim, tempProject, writeTestLock } from "../../tests/support/commands.ts";

async function sh(program: string, script: string, env: Record<string, string>, cwd: string) {
  const out = await new Deno.Command(program, { args: ["-c", script], cwd, env, stdin: "null" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function has(program: string): Promise<boolean> {
  try {
    return (await new Deno.Command(program, { args: ["-c", "exit 0"], stdin: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

Deno.test("envknit init-shell bash defines completions and a working envknit-python", async () => {
  const p = await tempProject(
    "environments:\n  default:\n    packages: []\n  ml:\n    packages: []\n",
  );
  try {
    // Environments without packages: `envknit run` needs no download to start Python in them.
    await writeTestLock(p, { default: [], ml: [] });
    const bin = await envknitShim(p);
    const env = { PATH: `${bin}:${Deno.env.get("PATH")}`, ENVKNIT_HOME: p.home, NO_COLOR: "1" };
    const show = "import os; print(os.environ['ENVKNIT_ENV'])";
    const r = await sh(
      "bash",
      `eval "$(envknit init-shell bash)"
type envknit-python | head -1
complete -p envknit
envknit-python -c "${show}"
envknit-python --env ml -c "${show}"`,
      env,
      p.dir,
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.split("\n"), [
      "envknit-python is a function",
      "complete -o default -F _envknit envknit",
      "default",
      "ml",
      "",
    ]);

    // $SHELL picks the shell when none is named.
    const bySHELL = await p.run(["init-shell"], { env: { SHELL: "/usr/bin/bash" } });
    assertEquals(bySHELL.code, 0, bySHELL.stderr);
    assertStringIncludes(bySHELL.stdout, "complete -o default -F _envknit envknit");
    const unknown = await p.run(["init-shell"], { env: { SHELL: "/bin/tcsh" } });
    assertEquals(unknown.code, 2);
    assertStringIncludes(unknown.stderr, "cannot tell the shell from SHELL=/bin/tcsh");

    const help = await p.run(["init-shell", "--help"]);
    assertStringIncludes(help.stdout, 'eval "$(envknit init-shell bash)"');
    assertStringIncludes(help.stdout, "envknit-python");

    // zsh and fish are exercised where installed (CI images may lack them).
    if (await has("zsh")) {
      const z = await sh(
        "zsh",
        `autoload -U compinit && compinit -u -D
eval "$(envknit init-shell zsh)"
whence -w envknit-python
print -r -- \${_comps[envknit]}
envknit-python --env ml -c "${show}"`,
        env,
        p.dir,
      );
      assertEquals(z.code, 0, z.stderr);
      assertEquals(z.stdout.split("\n"), ["envknit-python: function", "_envknit", "ml", ""]);
    } else {
      console.warn("zsh is not installed: its snippet was not run");
    }
    if (await has("fish")) {
      const f = await sh(
        "fish",
        `envknit init-shell fish | source
functions -q envknit-python; and echo defined
envknit-python --env ml -c "${show}"
envknit-python -c "${show}"`,
        env,
        p.dir,
      );
      assertEquals(f.code, 0, f.stderr);
      assertEquals(f.stdout.split("\n"), ["defined", "ml", "default", ""]);
    } else {
      console.warn("fish is not installed: its snippet was not run");
    }
  } finally {
    await p.dispose();
  }
});
