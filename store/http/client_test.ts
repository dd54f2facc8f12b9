import { HttpClient, HttpError } from "./client.ts";
import { EnvknitError } from "../../core/errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../../tests/support/assert.ts";

type Handler = (req: Request, n: number) => Response | Promise<Response>;

/** A loopback server whose handler sees each request and how many came to that path before. */
function serve(handler: Handler) {
  const counts = new Map<string, number>();
  const seen: Request[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    seen.push(req);
    return handler(req, n);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    seen,
    counts,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

const fast = { backoffMs: 1, netrc: null };

Deno.test("retries a 503 and returns the success", async () => {
  await using s = serve((_req, n) =>
    n < 3 ? new Response("busy", { status: 503 }) : new Response("ok")
  );
  const client = new HttpClient(fast);
  const r = await client.getBytes(`${s.url}/a`);
  assertEquals(r.status, 200);
  assertEquals(new TextDecoder().decode(r.body), "ok");
  assertEquals(client.stats.requests, 3);
  assertEquals(client.stats.retries, 2);
  assertEquals(client.stats.inFlight, 0);
});

Deno.test("returns the last 5xx when retries run out, and does not retry a 404", async () => {
  await using s = serve((req) =>
    new Response("x", { status: new URL(req.url).pathname === "/gone" ? 404 : 500 })
  );
  const client = new HttpClient({ ...fast, retries: 2 });
  assertEquals((await client.getBytes(`${s.url}/boom`)).status, 500);
  assertEquals(s.counts.get("/boom"), 3);
  assertEquals((await client.getBytes(`${s.url}/gone`)).status, 404);
  assertEquals(s.counts.get("/gone"), 1);
});

Deno.test("honours Retry-After on 429", async () => {
  await using s = serve((_req, n) =>
    n === 1
      ? new Response("", { status: 429, headers: { "retry-after": "0" } })
      : new Response("ok")
  );
  const client = new HttpClient({ ...fast, backoffMs: 5000 });
  const started = performance.now();
  assertEquals((await client.getBytes(`${s.url}/x`)).status, 200);
  assert(performance.now() - started < 2000, "Retry-After: 0 must win over the long backoff");
});

Deno.test("a server that never answers times out, is retried, then fails with one line", async () => {
  let calls = 0;
  await using s = serve(async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 400));
    return new Response("late");
  });
  const client = new HttpClient({ ...fast, timeoutMs: 100, retries: 1 });
  const error = await assertRejects(() => client.getBytes(`${s.url}/slow`), HttpError);
  assertEquals(error.kind, "timeout");
  assertStringIncludes(error.message, "timed out (after 2 attempts)");
  assert(!error.message.includes("\n"));
  assertEquals(calls, 2);
  await new Promise((r) => setTimeout(r, 450)); // let the handlers finish before shutdown
});

Deno.test("a body that stalls mid-transfer is fetched again by getBytes", async () => {
  await using s = serve((_req, n) => {
    if (n > 1) return new Response("complete body");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("partial"));
        // Never closes: the client's idle timer must fire. Close late so the server can stop.
        timer = setTimeout(() => c.close(), 600);
      },
      cancel() {
        clearTimeout(timer);
      },
    });
    return new Response(body);
  });
  const client = new HttpClient({ ...fast, timeoutMs: 150 });
  const r = await client.getBytes(`${s.url}/stall`);
  assertEquals(new TextDecoder().decode(r.body), "complete body");
  assertEquals(client.stats.retries, 1);
  await new Promise((r) => setTimeout(r, 650));
});

Deno.test("a connection reset is retried", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let accepted = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      accepted++;
      if (accepted === 1) {
        conn.close(); // drop the first connection without an answer
        continue;
      }
      const buf = new Uint8Array(4096);
      await conn.read(buf);
      await conn.write(
        new TextEncoder().encode(
          "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
        ),
      );
      conn.close();
    }
  })();
  try {
    const client = new HttpClient(fast);
    const r = await client.getBytes(`http://127.0.0.1:${port}/x`);
    assertEquals(new TextDecoder().decode(r.body), "ok");
    assert(client.stats.retries >= 1);
  } finally {
    listener.close();
    await serving.catch(() => {});
  }
});

Deno.test("an unreachable host fails with one error line after the retries", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const client = new HttpClient({ ...fast, retries: 1 });
  const error = await assertRejects(() => client.getBytes(`http://127.0.0.1:${port}/`), HttpError);
  assertEquals(error.kind, "network");
  assertStringIncludes(error.message, `GET http://127.0.0.1:${port}/ failed`);
});

Deno.test("no more requests than the concurrency bound are in flight", async () => {
  let now = 0;
  let max = 0;
  await using s = serve(async () => {
    now++;
    max = Math.max(max, now);
    await new Promise((r) => setTimeout(r, 20));
    now--;
    return new Response("x");
  });
  const client = new HttpClient({ ...fast, concurrency: 3 });
  await Promise.all(Array.from({ length: 12 }, (_, i) => client.getBytes(`${s.url}/${i}`)));
  assertEquals(max, 3);
  assertEquals(client.stats.requests, 12);
  assertEquals(client.stats.inFlight, 0);
});

Deno.test("basic auth from the URL is sent, remembered for the origin, and not shown", async () => {
  await using s = serve((req) => new Response(req.headers.get("authorization") ?? "none"));
  const client = new HttpClient(fast);
  const first = await client.getBytes(`http://al%40ice:p%3Ass@127.0.0.1:${s.port}/simple/`);
  assertEquals(new TextDecoder().decode(first.body), `Basic ${btoa("al@ice:p:ss")}`);
  assertEquals(first.url, `http://127.0.0.1:${s.port}/simple/`);
  const second = await client.getBytes(`${s.url}/files/a.whl`);
  assertEquals(new TextDecoder().decode(second.body), `Basic ${btoa("al@ice:p:ss")}`);
});

Deno.test("credentials remembered from a configured index URL apply to its origin", async () => {
  await using s = serve((req) => new Response(req.headers.get("authorization") ?? "none"));
  const client = new HttpClient(fast);
  client.rememberCredentials(`http://tok:en@127.0.0.1:${s.port}/simple/`);
  const r = await client.getBytes(`${s.url}/files/x.whl`);
  assertEquals(new TextDecoder().decode(r.body), `Basic ${btoa("tok:en")}`);
});

Deno.test("basic auth from a netrc file, by host name", async () => {
  await using s = serve((req) => new Response(req.headers.get("authorization") ?? "none"));
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/netrc`,
      'machine example.org login x password y\nmachine 127.0.0.1\n  login bob\n  password "s3 cret"\n',
    );
    const client = new HttpClient({ ...fast, netrc: `${dir}/netrc` });
    const r = await client.getBytes(`${s.url}/`);
    assertEquals(new TextDecoder().decode(r.body), `Basic ${btoa("bob:s3 cret")}`);
    const none = new HttpClient({ ...fast, env: { HOME: dir } }); // ~/.netrc absent
    assertEquals(new TextDecoder().decode((await none.getBytes(`${s.url}/`)).body), "none");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("credentials are not carried across a redirect to another origin", async () => {
  await using other = serve((req) => new Response(req.headers.get("authorization") ?? "none"));
  await using s = serve((req) =>
    new URL(req.url).pathname === "/away"
      ? new Response(null, { status: 302, headers: { location: `${other.url}/landing` } })
      : new Response(null, { status: 301, headers: { location: "/away" } })
  );
  const client = new HttpClient(fast);
  const r = await client.getBytes(`http://u:p@127.0.0.1:${s.port}/start`);
  assertEquals(new TextDecoder().decode(r.body), "none");
  assertEquals(r.url, `${other.url}/landing`);
  assertEquals(client.stats.requests, 3);
});

Deno.test("plain http is refused except for loopback and trusted hosts", async () => {
  const client = new HttpClient(fast);
  const error = await assertRejects(
    () => client.get("http://user:secret@pypi.example.com/simple/"),
    EnvknitError,
    "refusing plain http to pypi.example.com",
  );
  assert(!error.message.includes("secret"));
  await assertRejects(() => client.get("ftp://example.com/x"), EnvknitError, "unsupported URL");
  // A redirect from loopback to a plain-http host is refused too.
  await using s = serve(() =>
    new Response(null, { status: 302, headers: { location: "http://pypi.example.com/x" } })
  );
  await assertRejects(() => client.get(`${s.url}/r`), EnvknitError, "refusing plain http");
});

Deno.test("range, conditional headers and 304 are passed and counted", async () => {
  await using s = serve((req) => {
    if (req.headers.get("if-none-match") === '"v1"') return new Response(null, { status: 304 });
    const range = req.headers.get("range");
    return range === "bytes=-10"
      ? new Response("0123456789", {
        status: 206,
        headers: { "content-range": "bytes 90-99/100" },
      })
      : new Response("full", { headers: { etag: '"v1"' } });
  });
  const client = new HttpClient(fast);
  const part = await client.getBytes(`${s.url}/f`, { range: { suffix: 10 } });
  assertEquals(part.status, 206);
  assertEquals(part.headers.get("content-range"), "bytes 90-99/100");
  const cond = await client.getBytes(`${s.url}/f`, { etag: '"v1"', accept: "text/html" });
  assertEquals(cond.status, 304);
  assertEquals(s.seen[1].headers.get("accept"), "text/html");
  assertEquals(client.stats.ranged, 1);
  assertEquals(client.stats.conditional, 1);
  assertEquals(client.stats.notModified, 1);
});

Deno.test("a streamed body releases its slot when read or cancelled", async () => {
  await using s = serve(() => new Response("x".repeat(100_000)));
  const client = new HttpClient({ ...fast, concurrency: 1 });
  const a = await client.get(`${s.url}/a`);
  assertEquals(client.stats.inFlight, 1);
  await a.cancel();
  assertEquals(client.stats.inFlight, 0);
  const b = await client.get(`${s.url}/b`);
  assertEquals((await b.bytes()).length, 100_000);
  assertEquals(client.stats.bytes, 100_000 + 0);
  assertEquals(client.stats.inFlight, 0);
});

Deno.test("file URLs: whole file, ranges, index.html of a folder, 404, ETag", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/simple/pkg`, { recursive: true });
    await Deno.writeTextFile(`${dir}/simple/pkg/index.html`, "<a>page</a>");
    await Deno.writeTextFile(`${dir}/data.bin`, "0123456789");
    const client = new HttpClient(fast);
    const page = await client.getBytes(`file://${dir}/simple/pkg/`);
    assertEquals(new TextDecoder().decode(page.body), "<a>page</a>");
    const tail = await client.getBytes(`file://${dir}/data.bin`, { range: { suffix: 3 } });
    assertEquals([tail.status, new TextDecoder().decode(tail.body)], [206, "789"]);
    assertEquals(tail.headers.get("content-range"), "bytes 7-9/10");
    const mid = await client.getBytes(`file://${dir}/data.bin`, { range: { start: 2, end: 4 } });
    assertEquals(new TextDecoder().decode(mid.body), "234");
    assertEquals((await client.getBytes(`file://${dir}/missing/`)).status, 404);
    const etag = page.headers.get("etag")!;
    assertEquals((await client.getBytes(`file://${dir}/simple/pkg/`, { etag })).status, 304);
    assertEquals(client.stats.requests, 0);
    assertEquals(client.stats.fileReads, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a body larger than the limit is refused", async () => {
  await using s = serve(() => new Response("y".repeat(5000)));
  const client = new HttpClient(fast);
  const error = await assertRejects(
    () => client.getBytes(`${s.url}/big`, { maxBytes: 1000 }),
    HttpError,
  );
  assertEquals(error.kind, "too-large");
});

Deno.test("an aborted request rejects as cancelled and frees its slot", async () => {
  await using s = serve(async () => {
    await new Promise((r) => setTimeout(r, 200));
    return new Response("late");
  });
  const client = new HttpClient({ ...fast, concurrency: 1 });
  const controller = new AbortController();
  const pending = client.getBytes(`${s.url}/x`, { signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  const error = await assertRejects(() => pending, HttpError);
  assertEquals(error.kind, "aborted");
  assertEquals(client.stats.inFlight, 0);
  await new Promise((r) => setTimeout(r, 250));
});
