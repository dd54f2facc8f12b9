import { assertThrows } from "../tests/support/assert.ts";
import { EnvknitError } from "../core/errors.ts";
import type { Lockfile } from "../project/lock.ts";
import { StoreLayout } from "../store/layout.ts";
import { checkInstallPaths } from "./install_path.ts";

const SHA = "ab".repeat(32);

function lockWith(installPath: string): Lockfile {
  return {
    schemaVersion: "1.1",
    lockGeneratedAt: "",
    resolverVersion: "",
    configHash: "",
    target: { python: "3.11", platform: "any" },
    environments: {
      default: [{
        name: "greeter",
        version: "1.0",
        dependencies: [],
        wheels: [{ file: "greeter-1.0-py3-none-any.whl", url: "https://x/g.whl", sha256: SHA }],
        installPath,
      }],
    },
  };
}

Deno.test("install_path must be the entry's store path (or its version folder)", () => {
  const layout = new StoreLayout("/nonexistent-envknit-home");
  const check = (path: string) =>
    checkInstallPaths(lockWith(path), "/nonexistent-project/envknit.lock.yaml", layout, "/home/u");
  check(`/nonexistent-envknit-home/packages/greeter/1.0/${SHA.slice(0, 16)}`);
  check("/nonexistent-envknit-home/packages/greeter/1.0");
  check(`/nonexistent-envknit-home/packages/x/../greeter/1.0/./${SHA.slice(0, 16)}/`);
  check(`../nonexistent-envknit-home/packages/greeter/1.0`); // from the lock's folder
  for (
    const bad of [
      "",
      "/tmp/x",
      "~/x",
      "/nonexistent-envknit-home/packages/greeter",
      "/nonexistent-envknit-home/packages/other/1.0",
      `/nonexistent-envknit-home/packages/greeter/1.0/${"0".repeat(16)}`,
      "/nonexistent-envknit-home/packages/greeter/1.0/../../other/1.0",
    ]
  ) {
    assertThrows(() => check(bad), EnvknitError, "environments.default[0] (greeter).install_path");
  }
});
