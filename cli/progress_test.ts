import { formatBytes, Progress, progressBar } from "./progress.ts";
import { assert, assertEquals } from "../tests/support/assert.ts";

function sink(columns = 40) {
  const written: string[] = [];
  return {
    written,
    sink: {
      writeSync(bytes: Uint8Array) {
        written.push(new TextDecoder().decode(bytes));
        return bytes.length;
      },
      columns: () => columns,
    },
  };
}

Deno.test("progress draws, throttles, truncates to the terminal and erases itself", async () => {
  const s = sink(20);
  const p = new Progress({ sink: s.sink, intervalMs: 30 });
  p.update("resolving 1");
  p.update("resolving 2"); // inside the interval: deferred
  assertEquals(s.written, ["\r\x1b[2Kresolving 1"]);
  await new Promise((r) => setTimeout(r, 60));
  assertEquals(s.written.at(-1), "\r\x1b[2Kresolving 2");
  p.update("a very long line that does not fit");
  await new Promise((r) => setTimeout(r, 60));
  assertEquals(s.written.at(-1), "\r\x1b[2Ka very long line t…");
  p.log("warning: something");
  assertEquals(s.written.slice(-3), [
    "\r\x1b[2K",
    "warning: something\n",
    "\r\x1b[2Ka very long line t…",
  ]);
  p.done();
  assertEquals(s.written.at(-1), "\r\x1b[2K");
});

Deno.test("a terminal that reports 0 columns is taken as 80 wide", () => {
  const s = sink(0);
  const p = new Progress({ sink: s.sink });
  p.update("resolving default: 12 projects, 3 metadata, 4 requests in flight");
  assertEquals(s.written, [
    "\r\x1b[2Kresolving default: 12 projects, 3 metadata, 4 requests in flight",
  ]);
  p.done();
});

Deno.test("a disabled progress line writes nothing", () => {
  const s = sink();
  const p = new Progress({ sink: s.sink, enabled: false });
  p.update("x");
  p.done();
  assertEquals(s.written, []);
  assert(!p.enabled);
});

Deno.test("bars and byte counts", () => {
  assertEquals(progressBar(7, 20), "[#######.............]");
  assertEquals(progressBar(5, 0, 4), "[....]");
  assertEquals(progressBar(9, 3, 4), "[####]");
  assertEquals(formatBytes(512), "512 B");
  assertEquals(formatBytes(1536), "1.5 KiB");
  assertEquals(formatBytes(12.3 * 1024 * 1024), "12.3 MiB");
});
