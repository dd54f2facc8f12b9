import { assertEquals, assertThrows } from "../../tests/support/assert.ts";
import { EnvknitError } from "../../core/errors.ts";
import { assertWheelIdentity, distInfoOf } from "./entry_identity.ts";

const META = "Metadata-Version: 2.1\nName: Greeter\nVersion: 1.0\n\n";

Deno.test("the dist-info of the entry's project is found among its folders", () => {
  assertEquals(
    distInfoOf(["greeter", "Greeter-1.0.dist-info", "bin"], "greeter"),
    "Greeter-1.0.dist-info",
  );
  assertEquals(distInfoOf(["other-1.0.dist-info"], "greeter"), null);
  assertEquals(distInfoOf(["greeter-1.0.dist-info", "greeter-2.0.dist-info"], "greeter"), null);
});

Deno.test("a wheel's dist-info and METADATA must name the entry's project and version", () => {
  assertWheelIdentity("w.whl", "Greeter-1.0.dist-info", META, "greeter", "1.0");
  assertWheelIdentity("w.whl", "greeter-01.0.dist-info", META, "greeter", "1.0");
  const refused = (distInfo: string, meta: string, version = "1.0") =>
    assertThrows(
      () => assertWheelIdentity("w.whl", distInfo, meta, "greeter", version),
      EnvknitError,
    )
      .message;
  assertEquals(
    refused("greeter-1.0.dist-info", META, "2.0"),
    'w.whl: its greeter-1.0.dist-info folder is for version "1.0", but the lock says greeter 2.0',
  );
  assertEquals(
    refused("greeter-1.0.dist-info", META.replace("Name: Greeter", "Name: other")),
    'w.whl: its METADATA Name is "other", but the lock says greeter 1.0',
  );
  assertEquals(
    refused("greeter-1.0.dist-info", META.replace("Version: 1.0", "Version: 1.1")),
    'w.whl: its METADATA Version is "1.1", but the lock says greeter 1.0',
  );
});
