import { assertEquals } from "../tests/support/assert.ts";
import { readConfig } from "./config.ts";
import { loadLock, serializeLock } from "./lock.ts";

const CONFIG = "environments:\n  default:\n    packages: [requests]\n";

async function cacheFiles(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => `${dir}/${e.name}`);
  } catch {
    return [];
  }
}

Deno.test("an unchanged envknit.yaml is read from the parse cache; a changed one is parsed again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/envknit.yaml`;
    const cache = `${dir}/cache`;
    await Deno.writeTextFile(path, CONFIG);
    assertEquals((await readConfig(path, cache)).environments.default.packages, ["requests"]);
    // Proof that the second read comes from the cache and not from the YAML: tamper the entry.
    const [entry] = await cacheFiles(cache);
    const stored = JSON.parse(await Deno.readTextFile(entry));
    stored.value.environments.default.packages = ["from-the-cache"];
    await Deno.writeTextFile(entry, JSON.stringify(stored));
    assertEquals((await readConfig(path, cache)).environments.default.packages, ["from-the-cache"]);
    // Any change to the text is a new key: parsed afresh.
    await Deno.writeTextFile(path, CONFIG.replace("requests", "idna"));
    assertEquals((await readConfig(path, cache)).environments.default.packages, ["idna"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock enters the parse cache only when the caller remembers it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/envknit.lock.yaml`;
    const cache = `${dir}/cache`;
    await Deno.writeTextFile(
      path,
      serializeLock({
        schemaVersion: "1.1",
        lockGeneratedAt: "2026-11-21T00:00:00Z",
        resolverVersion: "envknit/0.1.0",
        configHash: "",
        target: { python: "3.11", platform: "manylinux_2_36_x86_64" },
        environments: { default: [] },
      }),
    );
    const first = await loadLock(path, cache);
    assertEquals(await cacheFiles(cache), []);
    await first.remember();
    assertEquals((await cacheFiles(cache)).length, 1);
    const second = await loadLock(path, cache);
    assertEquals(second.key, first.key);
    assertEquals(second.lock, first.lock);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
