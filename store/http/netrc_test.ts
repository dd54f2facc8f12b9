import { netrcLookup, parseNetrc } from "./netrc.ts";
import { isLoopback, isTrustedHost, redactUrl, stripCredentials } from "./url.ts";
import { assertEquals } from "../../tests/support/assert.ts";

Deno.test("netrc: machines, default, quoted values, macdef and comments", () => {
  const netrc = parseNetrc(`# a comment
machine Files.Example.com login alice password "with space"
macdef init
  machine evil login no password no

machine other.org
  login bob
  password pw account acct
default login anon password guest
machine files.example.com login second password ignored
`);
  assertEquals(netrcLookup(netrc, "files.example.com"), { login: "alice", password: "with space" });
  assertEquals(netrcLookup(netrc, "other.org"), { login: "bob", password: "pw", account: "acct" });
  assertEquals(netrcLookup(netrc, "evil"), { login: "anon", password: "guest" });
  assertEquals(netrcLookup(parseNetrc(""), "x"), null);
  assertEquals(netrcLookup(parseNetrc("machine"), "x"), null); // truncated: no crash
});

Deno.test("URL helpers: credentials stripped or redacted, loopback and trusted hosts", () => {
  assertEquals(stripCredentials("https://u:p@host/simple/"), "https://host/simple/");
  assertEquals(stripCredentials("file://u@/opt/pypi/simple/"), "file:///opt/pypi/simple/");
  assertEquals(stripCredentials("https://host/files/a@b.whl"), "https://host/files/a@b.whl");
  assertEquals(
    stripCredentials("https://u@host/files/a.whl#sha256=0"),
    "https://host/files/a.whl#sha256=0",
  );
  assertEquals(stripCredentials("https://host/simple/"), "https://host/simple/");
  assertEquals(redactUrl("https://u:secret@host/x"), "https://u:****@host/x");
  assertEquals(redactUrl("https://token@host/x"), "https://****@host/x");
  for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "[::1]", "a.localhost"]) {
    assertEquals(isLoopback(h), true, h);
  }
  for (const h of ["128.0.0.1", "example.com", "localhost.example.com"]) {
    assertEquals(isLoopback(h), false, h);
  }
  assertEquals(isTrustedHost(new URL("http://mirror.lan:8080/"), ["mirror.lan"]), true);
  assertEquals(isTrustedHost(new URL("http://mirror.lan:8080/"), ["mirror.lan:8080"]), true);
  assertEquals(isTrustedHost(new URL("http://mirror.lan:8081/"), ["mirror.lan:8080"]), false);
});

Deno.test("HTTP settings from the environment", async () => {
  const { httpOptionsFromEnv } = await import("./env.ts");
  const o = httpOptionsFromEnv(
    {
      ENVKNIT_HTTP_TIMEOUT: "1.5",
      ENVKNIT_HTTP_RETRIES: "0",
      ENVKNIT_TRUSTED_HOSTS: "a.lan, b.lan",
    },
    ["cli.lan"],
  );
  assertEquals([o.timeoutMs, o.retries, o.trustedHosts], [1500, 0, ["cli.lan", "a.lan", "b.lan"]]);
  let failed = false;
  try {
    httpOptionsFromEnv({ ENVKNIT_HTTP_TIMEOUT: "soon" });
  } catch {
    failed = true;
  }
  assertEquals(failed, true);
});
