import { assertEquals, assertThrows } from "../tests/support/assert.ts";
import { call, ResolverCallError } from "./wasm.ts";

Deno.test("the wasm module round-trips JSON, including non-ASCII text", () => {
  const value = { a: [1, 2.5, true, null], b: 'é😀\n"' };
  assertEquals(call("json.echo", value), value);
});

Deno.test("an unknown operation is a ResolverCallError, not a crash", () => {
  assertThrows(() => call("nope.nothing", {}), ResolverCallError, "unknown op");
  // The module still answers afterwards.
  assertEquals(call("json.echo", 1), 1);
});

Deno.test("large requests and responses cross the boundary intact", () => {
  const big = Array.from({ length: 20000 }, (_, i) => `pkg-${i}`);
  assertEquals(call("json.echo", big), big);
});
