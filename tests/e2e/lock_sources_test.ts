// Where packages come from: several indexes (first that has a project wins), find-links folders,
// a file:// mirror, indexes behind basic auth (URL or ~/.netrc), plain http refused; no
// credential ever reaches the lock.
import { DENO_DIR } from "../support/deno_dir.ts";
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { configText, errorLines, lockProjectDir } from "./lock_support.ts";

Deno.test("extra_urls: a project is taken from the first index that has it", async () => {
  const internal = await buildWheel({ name: "corp-utils", version: "1.0", requiresDist: ["six"] });
  const squatter = await buildWheel({ name: "corp-utils", version: "99.0" });
  const six = await buildWheel({ name: "six", version: "1.16.0" });
  await using primary = await startIndex({ projects: { "corp-utils": [internal] } });
  await using extra = await startIndex({ projects: { "corp-utils": [squatter], six: [six] } });
  await using p = await lockProjectDir();
  await p.config(configText(primary.url, { default: { packages: ["corp-utils"] } }, {
    extraUrls: [extra.url],
  }));
  const r = await p.run(["lock"]);
  assertEquals(r.code, 0, r.stderr);
  const env = (await p.lock()).environments.default;
  assertEquals(env.map((x) => [x.name, x.version, x.index]), [
    ["corp-utils", "1.0", primary.url],
    ["six", "1.16.0", extra.url],
  ]);
  assertEquals(extra.requests.some((q) => q.path.includes("corp-utils")), false);
});

Deno.test("find_links folders and a file:// mirror", async () => {
  await using p = await lockProjectDir();
  const local = await buildWheel({
    name: "local-only",
    version: "0.1",
    requiresDist: ["mirrored"],
  });
  const mirrored = await buildWheel({ name: "mirrored", version: "2.0" });
  await Deno.mkdir(`${p.dir}/wheels`);
  await Deno.writeFile(`${p.dir}/wheels/${local.filename}`, local.bytes);
  // A PEP 503 mirror on disk, like /opt/pypi: simple/<name>/index.html and files/.
  await Deno.mkdir(`${p.dir}/mirror/simple/mirrored`, { recursive: true });
  await Deno.mkdir(`${p.dir}/mirror/files`);
  await Deno.writeFile(`${p.dir}/mirror/files/${mirrored.filename}`, mirrored.bytes);
  await Deno.writeTextFile(
    `${p.dir}/mirror/simple/mirrored/index.html`,
    `<html><body><a href="../../files/${mirrored.filename}#sha256=${mirrored.sha256}">x</a>`,
  );
  await p.config(configText(`file://${p.dir}/mirror/simple`, {
    default: { packages: ["local-only"] },
  }, { findLinks: [`${p.dir}/wheels`] }));
  const r = await p.run(["lock"]);
  assertEquals(r.code, 0, r.stderr);
  const env = (await p.lock()).environments.default;
  assertEquals(env.map((x) => [x.name, x.version]), [["local-only", "0.1"], ["mirrored", "2.0"]]);
  const [l, m] = env;
  assertEquals(l.wheels[0].sha256, local.sha256);
  assertEquals(l.wheels[0].url, `file://${p.dir}/wheels/${local.filename}`);
  assertEquals(l.index, undefined); // from a find-links folder, not an index
  assertEquals(m.index, `file://${p.dir}/mirror/simple/`);
  assertEquals(m.wheels[0].url, `file://${p.dir}/mirror/files/${mirrored.filename}`);
  // --find-links on the command line works too, relative to the current folder.
  await p.config(configText(`file://${p.dir}/mirror/simple`, {
    default: { packages: ["local-only"] },
  }));
  assertEquals((await p.run(["lock"])).code, 1);
  await Deno.rename(`${p.dir}/wheels`, `${p.project}/wheels`);
  const flag = await p.run(["--find-links", "wheels", "lock"]);
  assertEquals(flag.code, 0, flag.stderr);
});

/** A loopback front of `index` that wants `user:password` (basic auth) on every request. */
function guarded(index: { origin: string }, user: string, password: string) {
  const expected = `Basic ${btoa(`${user}:${password}`)}`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (req.headers.get("authorization") !== expected) {
      return new Response("who are you?", { status: 401 });
    }
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.delete("authorization");
    const upstream = await fetch(`${index.origin}${url.pathname}${url.search}`, { headers });
    return new Response(upstream.body, { status: upstream.status, headers: upstream.headers });
  });
  return {
    port: server.addr.port,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("indexes behind basic auth: credentials from the URL or ~/.netrc, never in the lock", async () => {
  const pkg = await buildWheel({ name: "private-pkg", version: "1.0" });
  await using index = await startIndex({ projects: { "private-pkg": [pkg] } });
  await using front = guarded(index, "deploy", "s3cr3t");
  await using p = await lockProjectDir();

  // Credentials in the index URL.
  await p.config(configText(`http://deploy:s3cr3t@127.0.0.1:${front.port}/simple/`, {
    default: { packages: ["private-pkg"] },
  }));
  const withUrl = await p.run(["lock"]);
  assertEquals(withUrl.code, 0, withUrl.stderr);
  const text = (await p.lockText())!;
  assertEquals(text.includes("s3cr3t"), false);
  assertEquals(text.includes("deploy"), false);
  const entry = (await p.lock()).environments.default[0];
  assertEquals(entry.index, `http://127.0.0.1:${front.port}/simple/`);
  assert(entry.wheels[0].url.startsWith(`http://127.0.0.1:${front.port}/files/`));

  // No credentials anywhere: one error line that says how to give them.
  await Deno.remove(p.lockPath);
  await p.config(configText(`http://127.0.0.1:${front.port}/simple/`, {
    default: { packages: ["private-pkg"] },
  }));
  const denied = await p.run(["lock"], { HOME: p.dir, DENO_DIR });
  assertEquals(denied.code, 1);
  assertEquals(errorLines(denied.stderr).length, 1);
  assertStringIncludes(denied.stderr, "HTTP 401");
  assertStringIncludes(denied.stderr, "netrc");

  // The same from ~/.netrc.
  await Deno.writeTextFile(`${p.dir}/.netrc`, `machine 127.0.0.1 login deploy password s3cr3t\n`);
  const withNetrc = await p.run(["lock"], { HOME: p.dir, DENO_DIR });
  assertEquals(withNetrc.code, 0, withNetrc.stderr);
  assertEquals((await p.lockText())!.includes("s3cr3t"), false);
});

Deno.test("plain http to a remote host is refused unless trusted", async () => {
  await using p = await lockProjectDir();
  await p.config(configText("http://pypi.example.invalid/simple/", {
    default: { packages: ["x"] },
  }));
  const r = await p.run(["lock"]);
  assertEquals(r.code, 1);
  const errors = errorLines(r.stderr);
  assertEquals(errors.length, 1);
  assertStringIncludes(errors[0], "refusing plain http to pypi.example.invalid");
  assertStringIncludes(r.stderr, "--trusted-host");
  // Trusted, it is tried (and fails to resolve the name: no network in tests).
  const trusted = await p.run(["lock", "--trusted-host", "pypi.example.invalid"], {
    ENVKNIT_HTTP_RETRIES: "0",
  });
  assertEquals(trusted.code, 1);
  assertEquals(trusted.stderr.includes("refusing"), false);
  assertEquals(await p.lockText(), null);
});

Deno.test("a wheel listed without a sha256 is refused, with the reason", async () => {
  const pkg = await buildWheel({ name: "nohash", version: "1.0" });
  await using index = await startIndex({ projects: { nohash: [pkg] }, hashes: false });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["nohash"] } }));
  const r = await p.run(["lock"]);
  assertEquals(r.code, 1);
  assertStringIncludes(errorLines(r.stderr)[0], "gives no sha256");
  // No progress line or colour on a non-terminal stderr.
  assertEquals(r.stderr.includes("\r") || r.stderr.includes("\u001b"), false);
});
