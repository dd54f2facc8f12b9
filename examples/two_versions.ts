/**
 * `deno task demo`: envknit's main job from start to end, on any machine, with no network.
 *
 * It builds two versions of a package, `greeter` 1.0 and 2.0, each needing a different major
 * version of `wordlib`, serves them from a package index on 127.0.0.1, and then runs the real CLI
 * as a user would: `init`, `add` (which locks), `env create`, `install`, and `run` of a Python
 * program that uses both versions of `greeter` in one process with `envknit.use()`, each with the
 * `wordlib` it was locked with.
 *
 *   deno task demo              in a temp folder (removed at the end)
 *   deno task demo --keep       keep the project and its store to look around
 *   deno task demo --cli URL    run the CLI from elsewhere, e.g. `https://…/cli/main.ts`
 *
 * @module
 */
import { startIndex } from "../tests/support/index_server.ts";
import { buildWheel } from "../tests/support/wheel_factory.ts";
import { RUN_FLAGS } from "../tests/support/cli.ts";

const cliAt = Deno.args.indexOf("--cli");
const MAIN = cliAt === -1
  ? new URL("../cli/main.ts", import.meta.url).pathname
  : Deno.args[cliAt + 1];
const keep = Deno.args.includes("--keep");

const APP = `import envknit

envknit.configure_from_lock()  # the lock envknit run names in ENVKNIT_LOCK

for version in ("1.0", "2.0"):
    with envknit.use("greeter", version):
        import greeter
        import wordlib
        print(f"greeter {greeter.__version__} (wordlib {wordlib.__version__}): {greeter.greet('world')}")
`;

function greeter(version: string, wordlib: string, words: string) {
  return buildWheel({
    name: "greeter",
    version,
    requiresDist: [`wordlib${wordlib}`],
    files: {
      "greeter/__init__.py": `from wordlib import pick\n__version__ = "${version}"\n\n` +
        `def greet(name):\n    return f"{pick(${words})}, {name}!"\n`,
    },
  });
}

function wordlib(version: string, body: string) {
  return buildWheel({
    name: "wordlib",
    version,
    files: { "wordlib/__init__.py": `__version__ = "${version}"\n\n${body}` },
  });
}

async function envknit(cwd: string, env: Record<string, string>, ...args: string[]) {
  console.log(`\n$ envknit ${args.join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...RUN_FLAGS, MAIN, ...args],
    cwd,
    env,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`envknit ${args.join(" ")} exited with ${code}`);
}

const wheels = await Promise.all([
  wordlib("1.0", "def pick(words):\n    return words[0]\n"),
  wordlib("2.0", "def pick(words):\n    return words[-1].upper()\n"),
  greeter("1.0", "<2", "('hello', 'bonjour')"),
  greeter("2.0", ">=2", "('hello', 'bonjour')"),
]);
await using index = await startIndex({
  projects: {
    greeter: wheels.filter((w) => w.name === "greeter"),
    wordlib: wheels.filter((w) => w.name === "wordlib"),
  },
});

const dir = await Deno.makeTempDir({ prefix: "envknit-demo-" });
const project = `${dir}/project`;
await Deno.mkdir(project);
const env = {
  ...Deno.env.toObject(),
  ENVKNIT_HOME: `${dir}/store`,
  ENVKNIT_INDEX_URL: "",
  ENVKNIT_OFFLINE: "",
};
console.log(`A package index with greeter 1.0/2.0 and wordlib 1.0/2.0 serves at ${index.url}`);
console.log(`Project: ${project}   Store (ENVKNIT_HOME): ${dir}/store`);
try {
  await envknit(project, env, "init", "--index-url", index.url);
  await envknit(project, env, "add", "greeter==1.0");
  await envknit(project, env, "env", "create", "new");
  await envknit(project, env, "add", "greeter==2.0", "--env", "new");
  await envknit(project, env, "install");
  await Deno.writeTextFile(`${project}/app.py`, APP);
  console.log(`\n$ cat app.py\n${APP}`);
  await envknit(project, env, "run", "--", "python3", "app.py");
  console.log(
    keep ? `\nKept ${dir} (remove it when done).` : "\nDone: both versions ran in one process.",
  );
} finally {
  if (!keep) await Deno.remove(dir, { recursive: true }).catch(() => {});
}
