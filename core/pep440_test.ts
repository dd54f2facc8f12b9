import { assertEquals } from "../tests/support/assert.ts";
import { canonicalVersion } from "./pep440.ts";

// Expected values are packaging's str(Version(v)) (and the resolver's normalizeVersion).
const CASES: [string, string | null][] = [
  ["1.0", "1.0"],
  ["01.00", "1.0"],
  ["1.0.0-RC1", "1.0.0rc1"],
  ["v2.post", "2.post0"],
  ["2-1", "2.post1"],
  ["1.0+Ubuntu-1", "1.0+ubuntu.1"],
  ["1!0", "1!0"],
  ["0!1.0", "1.0"],
  ["1.0a", "1.0a0"],
  ["1.0.dev", "1.0.dev0"],
  ["1.0-dev3", "1.0.dev3"],
  ["1.0_post_2", "1.0.post2"],
  ["1.0rev", "1.0.post0"],
  ["1.0.preview1", "1.0rc1"],
  ["1.0c1", "1.0rc1"],
  ["1.0+1.02", "1.0+1.2"],
  ["  1.0 ", "1.0"],
  ["1.0-r4", "1.0.post4"],
  ["1.0beta.2", "1.0b2"],
  ["2.0.0.0b1.post3.dev4+abc", "2.0.0.0b1.post3.dev4+abc"],
  ["x", null],
  ["1..0", null],
  ["1.0+", null],
  ["../1.0", null],
  ["", null],
];

Deno.test("canonicalVersion gives packaging's normal form, or null for a non-version", () => {
  for (const [input, expected] of CASES) assertEquals(canonicalVersion(input), expected, input);
});
