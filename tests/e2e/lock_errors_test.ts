// Bad input and bad indexes: one `error:` line, exit 1, no lock written, an old lock untouched.
import { assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { type Fault, startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { configText, errorLines, listDir, lockProjectDir } from "./lock_support.ts";

Deno.test("a malformed envknit.yaml gets its line and column", async () => {
  await using p = await lockProjectDir();
  await p.config('envknit_version: "0.1.0"\nenvironments:\n  default:\n    packages: [a, b\n');
  const r = await p.run(["lock"]);
  assertEquals(r.code, 1);
  const errors = errorLines(r.stderr);
  assertEquals(errors.length, 1);
  assertMatch(errors[0], /envknit\.yaml:\d+:\d+: /);
  assertEquals(await p.lockText(), null);
});

Deno.test("an unknown package names the index that was asked", async () => {
  await using index = await startIndex({ projects: {} });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["no-such-thing>=1"] } }));
  const r = await p.run(["lock"]);
  assertEquals(r.code, 1);
  const errors = errorLines(r.stderr);
  assertEquals(errors.length, 1);
  assertStringIncludes(errors[0], "'no-such-thing'");
  assertStringIncludes(errors[0], index.url);
  assertEquals(await p.lockText(), null);
});

Deno.test("garbage pages, 500s, timeouts and hash mismatches: one error, old lock intact", async () => {
  const lib = await buildWheel({ name: "lib", version: "1.0" });
  const app = await buildWheel({ name: "app", version: "1.0", requiresDist: ["lib"] });
  await using index = await startIndex({ projects: { app: [app], lib: [lib] } });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["app"] } }));
  assertEquals((await p.run(["lock"])).code, 0);
  const good = await p.lockText();
  // Change the inputs so every run below would write a new lock if it got that far.
  await p.config(configText(index.url, { default: { packages: ["app", "lib==1.0"] } }));

  const cases: [string, Fault[], RegExp][] = [
    [
      "HTML garbage",
      [{ type: "status", status: 200, kind: "page", path: "/simple/lib/" }],
      /neither HTML nor JSON/,
    ],
    ["a 500", [{ type: "status", status: 500, kind: "page", path: "/simple/lib/" }], /HTTP 500/],
    [
      "a timeout",
      [{ type: "slow", kind: "page", path: "/simple/lib/", delayMs: 3000 }],
      /timed out/,
    ],
    [
      "metadata that does not match its hash",
      [{ type: "corrupt", kind: "metadata", path: /lib-1\.0/ }],
      /does not match the sha256/,
    ],
  ];
  for (const [what, faults, message] of cases) {
    index.setFaults(faults);
    const r = await p.run(["lock"], {
      ENVKNIT_HTTP_TIMEOUT: "0.3",
      ENVKNIT_HTTP_RETRIES: "1",
      // A fresh cache each time, so the metadata is fetched again.
      ENVKNIT_HOME: `${p.dir}/home-${what.replaceAll(" ", "-")}`,
    });
    assertEquals(r.code, 1, `${what}: ${r.stderr}`);
    const errors = errorLines(r.stderr);
    assertEquals(errors.length, 1, `${what}: ${r.stderr}`);
    assertMatch(errors[0], message, what);
    assertEquals(r.stderr.includes("    at "), false, `${what}: no stack trace`);
    assertEquals(await p.lockText(), good, `${what}: the old lock is untouched`);
  }
  assertEquals(await listDir(p.project), ["envknit.lock.yaml", "envknit.yaml"]);
});

Deno.test("JSON garbage and a page of an unsupported API version are errors", async () => {
  const lib = await buildWheel({ name: "lib", version: "1.0" });
  await using index = await startIndex({ projects: { lib: [lib] } });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["lib"] } }));
  // The test server cannot serve arbitrary bodies, so a second loopback server does.
  const bodies: Record<string, [string, string]> = {
    "/json/lib/": [
      "application/vnd.pypi.simple.v1+json",
      '{"meta": {"api-version": "1.0"}, "files": ',
    ],
    "/future/lib/": [
      "application/vnd.pypi.simple.v1+json",
      '{"meta": {"api-version": "2.0"}, "files": []}',
    ],
    "/html/lib/": ["text/html", "\u0000\u0001 binary junk, not a page"],
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const body = bodies[new URL(req.url).pathname];
    return body
      ? new Response(body[1], { headers: { "content-type": body[0] } })
      : new Response("", { status: 404 });
  });
  try {
    for (
      const [prefix, message] of [["json", /invalid JSON/], ["future", /API version 2\.0/], [
        "html",
        /neither HTML nor JSON/,
      ]] as const
    ) {
      const url = `http://127.0.0.1:${server.addr.port}/${prefix}/`;
      const r = await p.run(["--index-url", url, "lock"]);
      assertEquals(r.code, 1, r.stderr);
      const errors = errorLines(r.stderr);
      assertEquals(errors.length, 1, r.stderr);
      assertMatch(errors[0], message);
      assertEquals(await p.lockText(), null);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("a misspelt top-level key or no environment at all: an error, not an empty lock", async () => {
  await using p = await lockProjectDir();
  // `environment:` for `environments:` used to lock "0 packages in 0 environments" and exit 0.
  await p.config('envknit_version: "0.1.0"\nenvironment:\n  default:\n    packages: [a]\n');
  const typo = await p.run(["lock"]);
  assertEquals(typo.code, 1, typo.stderr);
  assertEquals(errorLines(typo.stderr), [
    `error: ${p.configPath}:2:1: unknown key 'environment'; did you mean 'environments'?`,
  ]);
  assertEquals(await p.lockText(), null);

  for (const text of ["", "# nothing yet\n", 'envknit_version: "0.1.0"\nenvironments: {}\n']) {
    await p.config(text);
    const empty = await p.run(["lock"]);
    assertEquals(empty.code, 1, `${JSON.stringify(text)}: ${empty.stderr}`);
    assertMatch(errorLines(empty.stderr)[0], /envknit\.yaml defines no environment to lock$/);
    assertStringIncludes(empty.stderr, "hint: ");
    assertEquals(await p.lockText(), null);
  }
});

Deno.test("an invalid requirement in envknit.yaml is an error at its line and column, no index asked", async () => {
  await using index = await startIndex({ projects: {} });
  await using p = await lockProjectDir();
  await p.config(
    `index:\n  url: ${
      JSON.stringify(index.url)
    }\nenvironments:\n  default:\n    packages:\n      - idna\n      - "idna>>3"\n`,
  );
  const r = await p.run(["lock"]);
  assertEquals(r.code, 1, r.stderr);
  const errors = errorLines(r.stderr);
  assertEquals(errors.length, 1, r.stderr);
  assertMatch(errors[0], /envknit\.yaml:7:9: invalid requirement 'idna>>3'/);
  assertEquals(index.counts.total, 0);
  assertEquals(await p.lockText(), null);
});
