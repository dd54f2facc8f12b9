// Regression (issue #14.9): redirects are followed by hand, each hop checked — never to a file://
// URL, plain http only to loopback or trusted hosts, no unknown schemes — and credentials never
// travel to another origin.
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { HttpClient } from "../../store/http/client.ts";
import { EnvknitError } from "../../core/errors.ts";
import { assertRefused, lockAddingToInstalledStore } from "./support.ts";

/** A loopback server answering every request with `answer`, recording the requests' headers. */
function server(answer: (req: Request) => Response) {
  const seen: { url: string; authorization: string | null }[] = [];
  const s = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push({ url: req.url, authorization: req.headers.get("authorization") });
    return answer(req);
  });
  return Object.assign(s, { seen, origin: `http://127.0.0.1:${s.addr.port}` });
}

const TARGETS: { name: string; location: string; error: RegExp }[] = [
  {
    name: "a file:// URL",
    location: "file:///etc/passwd",
    error: /redirect to a file URL refused/,
  },
  {
    name: "plain http on another host",
    location: "http://example.invalid/x.whl",
    error: /refusing plain http to example\.invalid/,
  },
  {
    name: "another scheme",
    location: "ftp://example.invalid/x.whl",
    error: /unsupported URL scheme 'ftp:'/,
  },
];

for (const t of TARGETS) {
  Deno.test(`install: a wheel redirected to ${t.name} is refused`, async () => {
    await using setup = await lockAddingToInstalledStore(
      await buildWheel({ name: "moved", version: "1.0" }),
    );
    const { index, p } = setup;
    index.setFaults([{
      type: "status",
      kind: "wheel",
      path: /moved/,
      status: 302,
      headers: { location: t.location },
    }]);
    await assertRefused(
      ["install"],
      { cwd: p.project, env: p.env, home: p.home },
      new RegExp(`^error: .*${t.error.source}`),
    );
  });
}

Deno.test("credentials are not carried across a redirect to another origin", async () => {
  await using other = server(() => new Response("wheel bytes"));
  await using first = server(() =>
    new Response(null, { status: 302, headers: { location: `${other.origin}/x.whl` } })
  );
  const http = new HttpClient();
  http.rememberCredentials(`${first.origin.replace("//", "//alice:s3cret@")}/simple/`);
  const r = await http.getBytes(`${first.origin}/files/x.whl`);
  assertEquals(r.status, 200);
  assertEquals(new TextDecoder().decode(r.body), "wheel bytes");
  assert(first.seen[0].authorization?.startsWith("Basic "), "the index's own origin authenticates");
  assertEquals(other.seen.map((s) => s.authorization), [null], "the other origin gets nothing");
  assert(!r.url.includes("s3cret"));
});

Deno.test("too many redirects, or a redirect without a Location, are errors", async () => {
  await using loop = server((req) =>
    new Response(null, { status: 302, headers: { location: new URL(req.url).pathname } })
  );
  await assertRejects(
    () => new HttpClient({ retries: 0 }).getBytes(`${loop.origin}/a`),
    EnvknitError,
    "too many redirects",
  );
  await using bare = server(() => new Response(null, { status: 302 }));
  await assertRejects(
    () => new HttpClient({ retries: 0 }).getBytes(`${bare.origin}/a`),
    EnvknitError,
    "redirect without a Location",
  );
});
