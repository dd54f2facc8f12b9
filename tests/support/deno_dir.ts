/**
 * Deno's own cache folder, for tests that run the CLI with another `HOME` (to isolate `~/.netrc`
 * and the like): without it, the child would look for its npm packages under the new HOME and
 * try to download them.
 *
 * @module
 */

/** The DENO_DIR this process uses (as `deno info` reports it). */
export const DENO_DIR: string = await (async () => {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir as string;
})();
