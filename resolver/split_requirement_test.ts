import { assertEquals } from "../tests/support/assert.ts";
import { normalizeName } from "../core/names.ts";
import { parseRequirement } from "./pep.ts";
import { requirementName, splitRequirement } from "./split_requirement.ts";

Deno.test("splitRequirement agrees with the wasm parser on valid requirements", () => {
  for (
    const text of [
      "requests",
      "  Foo_Bar.baz >=1.0, <2",
      "web[TLS, socks] (>=2.0)",
      "a[x]~=1.4; python_version >= '3.8' and extra == 'y'",
      "b==1.*;sys_platform=='win32'",
      "c ; os_name == 'nt'",
      "D[]",
    ]
  ) {
    const parts = splitRequirement(text)!;
    const parsed = parseRequirement(text);
    assertEquals(normalizeName(parts.name), parsed.name, text);
    assertEquals([...new Set(parts.extras.map(normalizeName))].sort(), parsed.extras, text);
    assertEquals(parts.marker !== null, parsed.marker !== null, text);
    assertEquals(requirementName(text), parts.name, text);
  }
  assertEquals(splitRequirement("web[tls] (>=2.0) ; os_name == 'nt'"), {
    name: "web",
    extras: ["tls"],
    specifier: ">=2.0",
    marker: "os_name == 'nt'",
  });
});

Deno.test("splitRequirement: no name, or a direct URL reference, is null", () => {
  assertEquals(splitRequirement(">=1"), null);
  assertEquals(splitRequirement(""), null);
  assertEquals(splitRequirement("pkg @ https://example.com/pkg-1.0.whl ; os_name == 'nt'"), null);
  assertEquals(requirementName("pkg @ https://example.com/pkg-1.0.whl"), "pkg");
  assertEquals(requirementName("-pkg"), null);
});
