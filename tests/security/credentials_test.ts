// Issue #14.8 (and a regression test of what already held): credentials of an index URL in
// envknit.yaml are used, but never written to the store's caches, the lock, or any output.
import { assert, assertEquals } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { makeProject } from "../e2e/install_support.ts";
import { configText } from "../e2e/lock_support.ts";
import { envknit } from "./support.ts";

const USER = "alice-k7q";
const PASSWORD = "s3cr3t-Pw-9x";

/** Every file under `dir` whose bytes contain `needle`. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  const bytes = new TextEncoder().encode(needle);
  async function walk(path: string) {
    for await (const e of Deno.readDir(path)) {
      const p = `${path}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.isFile) {
        const data = await Deno.readFile(p);
        outer: for (let i = 0; i + bytes.length <= data.length; i++) {
          for (let j = 0; j < bytes.length; j++) if (data[i + j] !== bytes[j]) continue outer;
          found.push(p);
          break;
        }
      }
    }
  }
  await walk(dir);
  return found;
}

for (const metadataFiles of [true, false]) {
  Deno.test(
    `credentials in envknit.yaml never reach the store, the lock or the output (${
      metadataFiles ? "PEP 658" : "range requests"
    })`,
    async () => {
      const wheel = await buildWheel({
        name: "credpkg",
        version: "1.0",
        entryPoints: { console_scripts: { "credpkg-tool": "credpkg:main" } },
      });
      await using index = await startIndex({ projects: { credpkg: [wheel] }, metadataFiles });
      await using p = await makeProject();
      const url = index.url.replace("http://", `http://${USER}:${PASSWORD}@`);
      await Deno.writeTextFile(
        `${p.project}/envknit.yaml`,
        configText(url, { default: { packages: ["credpkg"] } }),
      );
      const outputs: string[] = [];
      for (
        const args of [
          ["lock", "-v"],
          ["lock", "--refresh"],
          ["install", "-v"],
          ["install"],
          ["verify"],
          ["status"],
          ["run", "--", "python", "-c", "import credpkg"],
          ["fetch", "--dest", `${p.dir}/wheels`],
          ["lock", "--json"],
        ]
      ) {
        const r = await envknit(args, { cwd: p.project, env: p.env });
        assertEquals(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
        outputs.push(r.stdout, r.stderr);
      }
      // The requests did authenticate (the credentials were used, not dropped).
      assert(index.requests.length > 0);
      for (const secret of [PASSWORD, USER]) {
        assertEquals(await filesContaining(p.home, secret), [], `${secret} in the store`);
        assertEquals(await filesContaining(`${p.dir}/wheels`, secret), []);
        assert(
          !(await Deno.readTextFile(`${p.project}/envknit.lock.yaml`)).includes(secret),
          "the lock holds no credentials",
        );
      }
      for (const text of outputs) assert(!text.includes(PASSWORD), text);
    },
  );
}

Deno.test("a failing request with credentials names the URL without them", async () => {
  await using p = await makeProject();
  // Nothing listens there: the error names the URL, password hidden.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await Deno.writeTextFile(
    `${p.project}/envknit.yaml`,
    configText(`http://${USER}:${PASSWORD}@127.0.0.1:${port}/simple/`, {
      default: { packages: ["x"] },
    }),
  );
  const r = await envknit(["lock"], {
    cwd: p.project,
    env: { ...p.env, ENVKNIT_HTTP_RETRIES: "0" },
  });
  assertEquals(r.code, 1, r.stderr);
  assert(!r.stderr.includes(PASSWORD) && !r.stdout.includes(PASSWORD), r.stderr);
  assert(r.stderr.startsWith("error: "), r.stderr);
  assertEquals(await filesContaining(p.home, PASSWORD).catch(() => []), []);
});
