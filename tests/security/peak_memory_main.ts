/**
 * `deno run -A peak_memory_main.ts <report file> <envknit args…>`: runs the CLI in this process,
 * then writes the process's peak resident memory in KiB (`VmHWM` of `/proc/self/status`) to the
 * report file and exits with the CLI's code. Used by `support.ts` (`runWithPeakMemory`).
 *
 * @module
 */
import { main } from "../../cli/main.ts";

const [report, ...args] = Deno.args;
const code = await main(args);
const status = Deno.readTextFileSync("/proc/self/status");
Deno.writeTextFileSync(report, /VmHWM:\s+(\d+)\s*kB/.exec(status)?.[1] ?? "0");
Deno.exit(code);
