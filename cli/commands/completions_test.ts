import { assert, assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { COMMANDS } from "./mod.ts";
import { GLOBAL_OPTIONS } from "../global_options.ts";
import type { CliResult } from "../../tests/support/cli.ts";
import { envknitShim, tempProject } from "../../tests/support/commands.ts";

const CONFIG = `environments:
  default:
    packages: []
  legacy:
    packages: []
`;

async function shell(
  program: string,
  script: string,
  env: Record<string, string>,
  cwd: string,
): Promise<CliResult> {
  const out = await new Deno.Command(program, {
    args: ["-c", script],
    cwd,
    env,
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function has(program: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(program, { args: ["-c", "exit 0"], stdin: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

Deno.test("envknit completions: every command and option is in each script; the scripts parse", async () => {
  const p = await tempProject(CONFIG);
  try {
    const scripts: Record<string, string> = {};
    for (const sh of ["bash", "zsh", "fish"]) {
      const r = await p.run(["completions", sh]);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stderr, "", "every command module loads");
      scripts[sh] = r.stdout;
    }
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const { command } = await entry.load();
      assertEquals(command.name, name, "the table's name is the command's");
      assertStringIncludes(scripts.bash, `    ${name}) opts="`);
      assertStringIncludes(scripts.zsh, `'${name}:`);
      assertStringIncludes(scripts.zsh, `        (${name})\n`);
      assertStringIncludes(scripts.fish, `-n __fish_use_subcommand -f -a ${name} `);
      for (const option of command.options) {
        assertStringIncludes(scripts.bash, `--${option.name}`);
        assertStringIncludes(scripts.zsh, `--${option.name}`);
        assertStringIncludes(
          scripts.fish,
          `-n '__fish_seen_subcommand_from ${name}'${
            option.short ? ` -s ${option.short}` : ""
          } -l ${option.name} `,
        );
      }
    }
    for (const option of GLOBAL_OPTIONS) assertStringIncludes(scripts.bash, `--${option.name}`);

    for (const [sh, file] of Object.entries(scripts)) {
      await Deno.writeTextFile(`${p.dir}/completion.${sh}`, file);
    }
    const bash = await new Deno.Command("bash", { args: ["-n", `${p.dir}/completion.bash`] })
      .output();
    assert(bash.success, new TextDecoder().decode(bash.stderr));
    // zsh and fish are checked too where they are installed (CI images may lack them).
    for (const sh of ["zsh", "fish"]) {
      if (!(await has(sh))) {
        console.warn(`${sh} is not installed: its script was checked for content only`);
        continue;
      }
      const out = await new Deno.Command(sh, { args: ["-n", `${p.dir}/completion.${sh}`] })
        .output();
      assert(out.success, `${sh} -n: ${new TextDecoder().decode(out.stderr)}`);
    }

    const bad = await p.run(["completions", "powershell"]);
    assertEquals(bad.code, 2);
    assertStringIncludes(bad.stderr, "unsupported shell 'powershell'");
  } finally {
    await p.dispose();
  }
});

Deno.test("envknit completions bash completes commands, options, values and environments", async () => {
  const p = await tempProject(CONFIG);
  try {
    const bin = await envknitShim(p);
    const env = { PATH: `${bin}:${Deno.env.get("PATH")}`, ENVKNIT_HOME: p.home, NO_COLOR: "1" };
    // Each case: the words typed so far (the last one is being completed) and the expected list.
    const names = Object.keys(COMMANDS);
    const cases: [string[], string[]][] = [
      [["envknit", ""], names],
      [["envknit", "e"], names.filter((n) => n.startsWith("e"))],
      [["envknit", "env", ""], ["list", "create", "remove", "python"]],
      [["envknit", "env", "create", ""], []],
      [["envknit", "completions", "z"], ["zsh"]],
      [["envknit", "init", "--f"], ["--force", "--find-links"]],
      [["envknit", "--index-url", "http://x", "ini"], ["init", "init-shell"]],
      [["envknit", "status", "--env", ""], ["default", "legacy"]],
      [["envknit", "-q", "status", "--env", "l"], ["legacy"]],
    ];
    const script = cases.map(([words]) =>
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; ` +
      `_envknit; echo "\${COMPREPLY[*]}"`
    ).join("\n");
    const r = await shell("bash", `eval "$(envknit completions bash)"\n${script}`, env, p.dir);
    assertEquals(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n").slice(0, cases.length);
    cases.forEach(([words, expected], i) => {
      assertEquals(
        lines[i].split(" ").filter((w) => w).sort(),
        [...expected].sort(),
        `completing ${JSON.stringify(words)}`,
      );
    });

    if (await has("fish")) {
      const fish = await shell(
        "fish",
        "envknit completions fish | source; complete -C'envknit env '; echo ===; " +
          "complete -C'envknit status --env '",
        env,
        p.dir,
      );
      assertEquals(fish.code, 0, fish.stderr);
      const [envWords, environments] = fish.stdout.split("===\n");
      assertEquals(envWords.trim().split("\n").map((l) => l.split("\t")[0]).sort(), [
        "create",
        "list",
        "remove",
      ]);
      assertEquals(environments.trim().split("\n").map((l) => l.split("\t")[0]).sort(), [
        "default",
        "legacy",
      ]);
    }
    if (await has("zsh")) {
      const zsh = await shell(
        "zsh",
        'autoload -U compinit && compinit -u -D && eval "$(envknit completions zsh)" && ' +
          "print -r -- ${_comps[envknit]}",
        env,
        p.dir,
      );
      assertEquals(zsh.code, 0, zsh.stderr);
      assertEquals(zsh.stdout.trim(), "_envknit");
    }
  } finally {
    await p.dispose();
  }
});
