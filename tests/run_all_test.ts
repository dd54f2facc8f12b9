import { assertEquals } from "./support/assert.ts";
import { countCargo, countJunit, pytestArgs } from "./run_all.ts";

Deno.test("countJunit counts passed, failed and skipped cases of deno and pytest reports", () => {
  const xml = `<testsuites><testsuite>
    <testcase name="a" classname="x" time="0.1" />
    <testcase name="b"><skipped message="no python 3.13"/></testcase>
    <testcase name="c"><failure message="boom">trace</failure></testcase>
    <testcase name="d"><error message="err"/></testcase>
    <testcase name="e" line="1">
    </testcase>
  </testsuite></testsuites>`;
  assertEquals(countJunit(xml), { passed: 2, failed: 2, skipped: 1 });
});

Deno.test("countCargo sums every test binary's result line", () => {
  const out = "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured\n" +
    "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured\n";
  assertEquals(countCargo(out), { passed: 5, failed: 1, skipped: 1 });
});

Deno.test("pytest lists each skipped test with its reason (-rs), as the summary says", () => {
  const args = pytestArgs("/tmp/r.xml");
  assertEquals(args.includes("-rs"), true);
  assertEquals(args.at(-1), "--junitxml=/tmp/r.xml");
});
