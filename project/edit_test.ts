import { assertEquals } from "../tests/support/assert.ts";
import { pinnedRequirement } from "./edit.ts";

Deno.test("pin keeps the name as the user wrote it, with extras and marker", () => {
  assertEquals(pinnedRequirement("dep_a", "dep-a", "1.0"), "dep_a==1.0");
  assertEquals(
    pinnedRequirement('Demo.Pkg[fast]>=1; python_version >= "3"', "demo-pkg", "2.0"),
    'Demo.Pkg[fast]==2.0; python_version >= "3"',
  );
  assertEquals(pinnedRequirement(null, "idna", "3.6"), "idna==3.6");
});
