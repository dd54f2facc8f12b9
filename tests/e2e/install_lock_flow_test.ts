// The whole path a user takes: `envknit lock` (which records the project for gc), `install`,
// `run` of an entry point, `status`, `verify`, all against the loopback index.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { configText, lockProjectDir } from "./lock_support.ts";

Deno.test("lock, install, run: the project is recorded by lock and usable by run", async () => {
  const lib = await buildWheel({
    name: "greeter-lib",
    version: "1.2",
    files: { "greeter_lib/__init__.py": "def greet(who):\n    return f'hello {who}'\n" },
  });
  const app = await buildWheel({
    name: "greeter",
    version: "0.3",
    requiresDist: ["greeter-lib>=1"],
    files: {
      "greeter/__init__.py": "",
      "greeter/cli.py": "import sys\nfrom greeter_lib import greet\ndef main():\n" +
        "    print(greet(sys.argv[1]))\n",
    },
    entryPoints: { console_scripts: { greet: "greeter.cli:main" } },
  });
  await using index = await startIndex({
    projects: { "greeter-lib": [lib], greeter: [app] },
  });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["greeter"] } }));

  const lock = await p.run(["lock"]);
  assertEquals(lock.code, 0, lock.stderr);
  const projects = await Array.fromAsync(Deno.readDir(`${p.home}/projects`));
  assertEquals(projects.length, 1, "envknit lock records the project");
  const record = JSON.parse(await Deno.readTextFile(`${p.home}/projects/${projects[0].name}`));
  assertEquals(record.lock, p.lockPath);

  const status = await p.run(["status"]);
  assertStringIncludes(status.stdout, "default: 0 installed, 2 missing");
  const install = await p.run(["install"]);
  assertEquals(install.code, 0, install.stderr);
  assertStringIncludes(install.stderr, "installed 2 packages");
  const greet = await p.run(["run", "--", "greet", "world"]);
  assertEquals([greet.code, greet.stdout, greet.stderr], [0, "hello world\n", ""]);
  assert((await p.run(["verify"])).code === 0);
  const gc = await p.run(["store", "gc", "--dry-run", "--json"]);
  assertEquals(JSON.parse(gc.stdout).removedEntries, []);
});
