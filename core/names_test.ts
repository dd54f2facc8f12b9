import { assertEquals } from "../tests/support/assert.ts";
import { normalizeName } from "./names.ts";

Deno.test("normalizeName follows PEP 503", () => {
  assertEquals(normalizeName("Foo.Bar__baz--Qux"), "foo-bar-baz-qux");
  assertEquals(normalizeName("zope.interface"), "zope-interface");
});
