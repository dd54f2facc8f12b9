// The Python runtime's exact lock reader (runtime_py/envknit/lock_text.py) is tested against golden
// locks in runtime_py/tests/fixtures/: <name>.lock.yaml is what serializeLock writes for the model
// <name> of writer_locks.json. This test keeps them equal, so the writer and the runtime's reader
// cannot drift apart: when the writer changes on purpose, regenerate the fixtures with
//   ENVKNIT_UPDATE_FIXTURES=1 deno test -A project/lock_runtime_fixtures_test.ts
// and run the runtime's tests (python3 -m pytest runtime_py/tests/test_lock.py).
import { assert } from "../tests/support/assert.ts";
import { type Lockfile, serializeLock } from "./lock.ts";
import { readCanonicalLock } from "./lock_text.ts";

const FIXTURES = new URL("../runtime_py/tests/fixtures/", import.meta.url);

Deno.test("the runtime's golden locks are what serializeLock writes", async () => {
  const models = JSON.parse(
    await Deno.readTextFile(new URL("writer_locks.json", FIXTURES)),
  ) as Record<string, Lockfile>;
  assert(Object.keys(models).length >= 2);
  const update = Deno.env.get("ENVKNIT_UPDATE_FIXTURES") === "1";
  for (const [name, model] of Object.entries(models)) {
    const file = new URL(`${name}.lock.yaml`, FIXTURES);
    const written = serializeLock(model);
    if (update) await Deno.writeTextFile(file, written);
    const golden = await Deno.readTextFile(file);
    assert(
      golden === written,
      `runtime_py/tests/fixtures/${name}.lock.yaml is not what serializeLock writes; regenerate it ` +
        "(ENVKNIT_UPDATE_FIXTURES=1 deno test -A project/lock_runtime_fixtures_test.ts) and run the runtime's tests",
    );
    assert(readCanonicalLock(golden) !== null, `${name}: the writer's layout reader declines it`);
  }
});
