// Issue #14.7: every request has an overall deadline (a server trickling a byte at a time cannot
// hold an install forever), local reads refuse anything but regular files (a FIFO), and a remote
// index cannot point at file:// URLs.
import { assert, assertEquals, assertMatch, assertRejects } from "../support/assert.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { HttpClient, HttpError } from "../../store/http/client.ts";
import { httpOptionsFromEnv } from "../../store/http/env.ts";
import { makeProject, writeTestLock } from "../e2e/install_support.ts";
import { configText } from "../e2e/lock_support.ts";
import { assertRefused, envknit, lockAddingToInstalledStore } from "./support.ts";

/** A loopback server that answers 200 and then sends one byte every `everyMs`, forever. */
function trickleServer(everyMs: number): Deno.HttpServer & { url: string } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    let timer: ReturnType<typeof setInterval>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => {
          try {
            controller.enqueue(new Uint8Array([0x50]));
          } catch {
            clearInterval(timer);
          }
        }, everyMs);
      },
      cancel() {
        clearInterval(timer);
      },
    });
    return new Response(body, { headers: { "content-type": "text/html" } });
  });
  return Object.assign(server, { url: `http://127.0.0.1:${server.addr.port}` });
}

Deno.test("HttpClient: a body trickling a byte at a time ends at the request's deadline", async () => {
  await using server = trickleServer(50);
  const http = new HttpClient({ deadlineMs: 800, retries: 0 });
  const started = Date.now();
  const error = await assertRejects(
    () => http.getBytes(`${server.url}/simple/x/`),
    HttpError,
    "did not finish within its deadline of 0.8 s",
  );
  assertEquals((error as HttpError).kind, "deadline");
  assert(Date.now() - started < 10_000);
  assertEquals(http.stats.inFlight, 0, "the request gave its slot back");
});

Deno.test("ENVKNIT_HTTP_DEADLINE sets every request's deadline, a download's too", () => {
  const options = httpOptionsFromEnv({ ENVKNIT_HTTP_DEADLINE: "1.5" });
  assertEquals(options.deadlineMs, 1500);
  assertEquals(options.fixedDeadline, true);
});

Deno.test("install: a wheel trickled a byte every 200 ms fails at the deadline", async () => {
  await using setup = await lockAddingToInstalledStore(
    await buildWheel({ name: "trickled", version: "1.0" }),
  );
  const { index, p } = setup;
  // Under the gap timeout (30 s) by far: only an overall deadline ends this.
  index.setFaults([{
    type: "slow",
    kind: "wheel",
    path: /trickled/,
    trickleMs: 200,
    chunkSize: 1,
  }]);
  const started = Date.now();
  await assertRefused(
    ["install"],
    { cwd: p.project, env: { ...p.env, ENVKNIT_HTTP_DEADLINE: "2" }, home: p.home },
    /^error: GET http:\/\/127\.0\.0\.1:\d+\/.*trickled-1\.0-py3-none-any\.whl did not finish within its deadline of 2 s/,
  );
  assert(Date.now() - started < 30_000, "not retried until the end of time");
});

Deno.test("lock: an index page trickled a byte at a time fails at the deadline", async () => {
  await using server = trickleServer(100);
  await using p = await makeProject();
  await Deno.writeTextFile(
    `${p.project}/envknit.yaml`,
    configText(`${server.url}/simple/`, { default: { packages: ["slowpkg"] } }),
  );
  const r = await envknit(["lock"], {
    cwd: p.project,
    env: { ...p.env, ENVKNIT_HTTP_DEADLINE: "1.5" },
  });
  assertEquals(r.code, 1, r.stderr);
  assertMatch(r.stderr, /^error: GET .*slowpkg\/ did not finish within its deadline of 1\.5 s/m);
});

Deno.test("install: a FIFO in a --find-links folder is refused, not read", async () => {
  const wheel = await buildWheel({ name: "piped", version: "1.0" });
  await using p = await makeProject();
  const links = `${p.dir}/links`;
  await Deno.mkdir(links);
  const fifo = `${links}/${wheel.filename}`;
  const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert(mk.success, "mkfifo");
  await writeTestLock(p.lockPath, { default: [{ wheels: [wheel] }] }, null);
  await Deno.mkdir(p.home, { recursive: true });
  const started = Date.now();
  await assertRefused(
    ["install", "--offline", "--find-links", links],
    { cwd: p.project, env: p.env, home: p.home },
    new RegExp(`^error: .*cannot read ${fifo.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: .*FIFO`),
  );
  assert(Date.now() - started < 30_000);
});

Deno.test("a file:// URL naming a FIFO is refused by the HTTP client", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/x.whl`;
    assert((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
    const error = await assertRejects(
      () => new HttpClient().getBytes(`file://${fifo}`),
      HttpError,
      "not a regular file",
    );
    assertEquals((error as HttpError).kind, "refused");
    // A file:// index whose page is a FIFO: `lock` fails at once.
    await Deno.mkdir(`${dir}/simple/pkg`, { recursive: true });
    assert(
      (await new Deno.Command("mkfifo", { args: [`${dir}/simple/pkg/index.html`] }).output())
        .success,
    );
    await using p = await makeProject();
    await Deno.writeTextFile(
      `${p.project}/envknit.yaml`,
      configText(`file://${dir}/simple/`, { default: { packages: ["pkg"] } }),
    );
    const r = await envknit(["lock"], { cwd: p.project, env: p.env });
    assertEquals(r.code, 1, r.stderr);
    assertMatch(r.stderr, /^error: cannot read .*index\.html: it is not a regular file/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lock: a remote index page linking to file:// is refused, naming the URL", async () => {
  const wheel = await buildWheel({ name: "localref", version: "1.0" });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
    new Response(
      `<!DOCTYPE html><html><body><a href="file:///etc/passwd#sha256=${wheel.sha256}">` +
        `${wheel.filename}</a></body></html>`,
      { headers: { "content-type": "text/html" } },
    ));
  try {
    await using p = await makeProject();
    await Deno.writeTextFile(
      `${p.project}/envknit.yaml`,
      configText(`http://127.0.0.1:${server.addr.port}/simple/`, {
        default: { packages: ["localref"] },
      }),
    );
    const r = await envknit(["lock"], { cwd: p.project, env: p.env });
    assertEquals(r.code, 1, r.stderr);
    assertMatch(
      r.stderr,
      /^error: index page http:\/\/127\.0\.0\.1:\d+\/simple\/localref\/ links to a local file, file:\/\/\/etc\/passwd/m,
    );
    assert(!r.stderr.includes("internal error"));
  } finally {
    await server.shutdown();
  }
});

Deno.test("lock: a file:// index linking to a FIFO wheel is refused, not read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const filename = "fifopkg-1.0-py3-none-any.whl";
    await Deno.mkdir(`${dir}/simple/fifopkg`, { recursive: true });
    await Deno.mkdir(`${dir}/files`);
    assert(
      (await new Deno.Command("mkfifo", { args: [`${dir}/files/${filename}`] }).output()).success,
    );
    await Deno.writeTextFile(
      `${dir}/simple/fifopkg/index.html`,
      `<html><body><a href="../../files/${filename}#sha256=${"a".repeat(64)}">${filename}</a>` +
        "</body></html>\n",
    );
    await using p = await makeProject();
    await Deno.writeTextFile(
      `${p.project}/envknit.yaml`,
      configText(`file://${dir}/simple/`, { default: { packages: ["fifopkg"] } }),
    );
    const started = Date.now();
    const r = await envknit(["lock"], { cwd: p.project, env: p.env });
    assertEquals(r.code, 1, r.stderr);
    assertMatch(
      r.stderr,
      /^error: cannot read .*fifopkg-1\.0-py3-none-any\.whl: not a regular file/m,
    );
    assert(Date.now() - started < 30_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
