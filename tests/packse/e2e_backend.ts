/**
 * The end-to-end packse backend: each scenario's wheels (and sdist listings) are served by the
 * loopback index, and the scenario is locked through the CLI (`envknit lock` in a fresh process,
 * as a user runs it), for the scenario's target described with `--python-version`/`--platform`
 * (no interpreter runs). The outcome is read back from `envknit.lock.yaml`, or from the one
 * `error:` line when there is no solution.
 *
 * The scenario's options map to lock options: `prereleases` to `--prerelease`, `no_binary` to
 * `--no-binary`, and a universal scenario that names no platform (packse resolves it for every
 * platform at once, so any wheel counts, as in the in-memory backend) to `--any-wheel`. The
 * `fork` scenarios are declined (see {@link cliBackend}).
 *
 * @module
 */
import { parseLock } from "../../project/lock.ts";
import { cleanEnv, DENO_CONFIG, runEnvknit } from "../support/cli.ts";
import { startIndex } from "../support/index_server.ts";
import { type PackseScenario, scenarioFiles } from "../support/packse.ts";
import { scenarioTarget } from "./memory_provider.ts";
import { isForkScenario } from "./fork_targets.ts";
import type { ResolveScenario, ScenarioOutcome } from "./runner.ts";

/** The CLI arguments that lock `scenario` for its target. */
export function lockArguments(scenario: PackseScenario): string[] {
  const target = scenarioTarget(scenario);
  const args = ["lock", "--python-version", target.python, "--platform", target.platform];
  const prereleases = scenario.resolverOptions.prereleases;
  if (prereleases !== null) args.push("--prerelease", prereleases ? "allow" : "disallow");
  if (!target.checkTags) args.push("--any-wheel");
  for (const name of scenario.resolverOptions.noBinary) args.push("--no-binary", name);
  // `no_build` needs nothing: envknit never builds an sdist.
  return args;
}

/** envknit.yaml for a scenario's root requirements on one index. */
export function scenarioConfig(indexUrl: string, requires: string[]): string {
  return [
    'envknit_version: "0.1.0"',
    "index:",
    `  url: ${JSON.stringify(indexUrl)}`,
    "environments:",
    "  default:",
    `    packages: ${JSON.stringify(requires)}`,
    "",
  ].join("\n");
}

/**
 * A backend that locks through the CLI. Its store (`ENVKNIT_HOME`) lives in `home`, shared by
 * the scenarios it runs (each has its own index, so cached pages never mix).
 */
export function cliBackend(home: string): ResolveScenario {
  return async (scenario: PackseScenario): Promise<ScenarioOutcome> => {
    if (isForkScenario(scenario)) {
      // Its targets are marker environments no real platform has (sys_platform "illumos" with
      // os_name "linux"), which `targets:` in envknit.yaml cannot name.
      return {
        satisfiable: false,
        packages: {},
        unsupported: "its targets are marker environments, not platforms envknit.yaml can name " +
          "(the in-memory runner resolves them)",
      };
    }
    const files = await scenarioFiles(scenario);
    await using index = await startIndex({ projects: files.projects });
    const project = await Deno.makeTempDir({ prefix: "envknit-packse-" });
    try {
      await Deno.writeTextFile(
        `${project}/envknit.yaml`,
        scenarioConfig(index.url, files.requires),
      );
      const out = await runEnvknit(["-q", ...lockArguments(scenario)], {
        cwd: project,
        env: cleanEnv({ ENVKNIT_HOME: home, NO_COLOR: "1" }),
        denoFlags: [`--config=${DENO_CONFIG}`],
        inheritStdin: true,
      });
      const stderr = out.stderr;
      if (out.code === 0) {
        const path = `${project}/envknit.lock.yaml`;
        const lock = await parseLock(await Deno.readTextFile(path), path);
        const packages = Object.fromEntries(
          (lock.environments.default ?? []).map((p) => [p.name, p.version]),
        );
        return { satisfiable: true, packages };
      }
      const errors = stderr.split("\n").filter((l) => l.startsWith("error: "));
      if (out.code === 1 && errors.length === 1) {
        return {
          satisfiable: false,
          packages: {},
          explanation: errors[0].slice("error: ".length),
        };
      }
      throw new Error(`envknit lock exited with ${out.code}:\n${stderr}`);
    } finally {
      await Deno.remove(project, { recursive: true }).catch(() => {});
    }
  };
}
