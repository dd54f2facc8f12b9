import { assert, assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { bestWheel, describeInterpreter, unavailableReason, wheelCompatibility } from "./compat.ts";
import { interpreterFromTarget } from "./target.ts";
import { supportedTags } from "./tags.ts";

const linux311 = interpreterFromTarget({
  pythonVersion: "3.11",
  platform: "manylinux_2_36_x86_64",
});

Deno.test("describeInterpreter names implementation, version and platform", () => {
  assertEquals(describeInterpreter(linux311), "CPython 3.11 on manylinux_2_36_x86_64");
  assertEquals(
    describeInterpreter(interpreterFromTarget({ pythonVersion: "3.13t", platform: "win_amd64" })),
    "CPython 3.13t on win_amd64",
  );
});

Deno.test("wheelCompatibility gives the priority of the best matching tag", () => {
  const tags = supportedTags(linux311);
  const pure = wheelCompatibility("six-1.16.0-py2.py3-none-any.whl", linux311);
  assertEquals(pure, { compatible: true, priority: tags.indexOf("py3-none-any") });
  const multi = wheelCompatibility(
    "x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    linux311,
  );
  assertEquals(multi.priority, tags.indexOf("cp311-cp311-manylinux_2_17_x86_64"));
  assert(multi.priority! < pure.priority!);
  assertEquals(
    wheelCompatibility("x-1.0-cp39-abi3-manylinux_2_28_x86_64.whl", linux311).compatible,
    true,
  );
});

Deno.test("wheelCompatibility says which part of an incompatible wheel does not fit", () => {
  const python = wheelCompatibility("x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", linux311);
  assertEquals(python.compatible, false);
  assertStringIncludes(python.reason!, "x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl");
  assertStringIncludes(python.reason!, "CPython 3.11 on manylinux_2_36_x86_64");
  assertStringIncludes(python.reason!, "built for cp312");

  const platform = wheelCompatibility("x-1.0-cp311-cp311-macosx_11_0_arm64.whl", linux311);
  assertStringIncludes(platform.reason!, "platform macosx_11_0_arm64");

  const abi = wheelCompatibility("x-1.0-cp311-cp311d-manylinux_2_17_x86_64.whl", linux311);
  assertStringIncludes(abi.reason!, "ABI cp311d");

  // A newer glibc than the machine's is a platform mismatch too.
  const glibc = wheelCompatibility("x-1.0-cp311-cp311-manylinux_2_39_x86_64.whl", linux311);
  assertStringIncludes(glibc.reason!, "platform manylinux_2_39_x86_64");

  assertStringIncludes(
    wheelCompatibility("not-a-wheel.whl", linux311).reason!,
    "not a valid wheel file name",
  );
});

Deno.test("bestWheel prefers the most specific tag, then the higher build, then the name", () => {
  const files = [
    "numpy-2.0.0-cp311-cp311-macosx_14_0_arm64.whl",
    "numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "numpy-2.0.0-cp311-cp311-manylinux_2_28_x86_64.whl",
    "numpy-2.0.0-cp310-abi3-manylinux_2_34_x86_64.whl",
    "numpy-2.0.0-py3-none-any.whl",
    "numpy-2.0.0-cp311-cp311-win_amd64.whl",
  ];
  const best = bestWheel(files, linux311)!;
  assertEquals(best.filename, "numpy-2.0.0-cp311-cp311-manylinux_2_28_x86_64.whl");
  assertEquals(best.index, 2);
  assertEquals(best.priority, supportedTags(linux311).indexOf("cp311-cp311-manylinux_2_28_x86_64"));
  // The order of the list does not matter.
  assertEquals(bestWheel([...files].reverse(), linux311)!.filename, best.filename);

  const builds = [
    "x-1.0-1-py3-none-any.whl",
    "x-1.0-py3-none-any.whl",
    "x-1.0-2a-py3-none-any.whl",
  ];
  assertEquals(bestWheel(builds, linux311)!.filename, "x-1.0-2a-py3-none-any.whl");
  assertEquals(bestWheel([...builds].reverse(), linux311)!.filename, "x-1.0-2a-py3-none-any.whl");

  const names = ["X-1.0-py3-none-any.whl", "x-1.0-py3-none-any.whl"];
  assertEquals(bestWheel(names, linux311)!.filename, "X-1.0-py3-none-any.whl");
  assertEquals(bestWheel([...names].reverse(), linux311)!.filename, "X-1.0-py3-none-any.whl");

  assertEquals(bestWheel(["x-1.0-cp312-cp312-win_amd64.whl", "x-1.0.tar.gz"], linux311), null);
  assertEquals(bestWheel([], linux311), null);
});

Deno.test("unavailableReason explains sdist-only and wrong-platform releases", () => {
  assertEquals(unavailableReason(["x-1.0-py3-none-any.whl", "x-1.0.tar.gz"], linux311), null);

  const sdist = unavailableReason(["x-1.0.tar.gz"], linux311)!;
  assertStringIncludes(sdist, "x-1.0.tar.gz");
  assertStringIncludes(sdist, "envknit installs wheels only");

  const wrong = unavailableReason(["x-1.0-cp312-cp312-macosx_11_0_arm64.whl"], linux311)!;
  assertEquals(
    wrong,
    "no wheel for CPython 3.11 on manylinux_2_36_x86_64: the available wheels are for cp312 on " +
      "macosx_11_0_arm64",
  );
  const both = unavailableReason(
    ["x-1.0-cp312-abi3-win_amd64.whl", "x-1.0-cp313-cp313-win_amd64.whl", "x-1.0.zip"],
    linux311,
  )!;
  assertStringIncludes(both, "cp312-abi3, cp313 on win_amd64");
  assertStringIncludes(both, "envknit installs wheels only");

  assertEquals(unavailableReason([], linux311), "no files are available");
  assertStringIncludes(unavailableReason(["x-1.0.egg"], linux311)!, "wheels only");
});
