import { assertEquals } from "../tests/support/assert.ts";
import type { LockPackage } from "../project/lock.ts";
import { parseCoreMetadata } from "../store/wheel/metadata.ts";
import {
  canonicalSpecifier,
  compareWithLock,
  requirementKey,
  targetJudges,
} from "./metadata_check.ts";

const meta = (lines: string[]) =>
  parseCoreMetadata(["Metadata-Version: 2.1", ...lines].join("\n") + "\n\n");

const entry = (over: Partial<LockPackage> = {}): LockPackage => ({
  name: "greeter",
  version: "1.0",
  dependencies: ["wordlib<3,>=1.0"],
  requiresPython: ">=3.8",
  wheels: [],
  ...over,
});

const wheel = meta([
  "Name: Greeter",
  "Version: 1.0",
  "Requires-Python: >= 3.8",
  "Requires-Dist: WordLib (>=1.00, <3)",
  "Requires-Dist: colorama; sys_platform == 'win32'",
  "Requires-Dist: rich[jupyter]>=10; extra == 'fancy'",
]);

Deno.test("specifiers and requirements compare normalized and order-insensitive", () => {
  assertEquals(canonicalSpecifier(">= 1.00 , <3"), canonicalSpecifier("<3,>=1.0"));
  assertEquals(canonicalSpecifier("==1.0.*"), "==1.0.*");
  assertEquals(requirementKey("Word_Lib [B,a] (>=1.0)"), "word-lib[a,b]>=1.0");
  assertEquals(requirementKey("x>=1; python_version < '3'"), "x>=1");
  assertEquals(
    requirementKey("pkg @ https://h/pkg.whl ; os_name == 'nt'"),
    "pkg @ https://h/pkg.whl",
  );
});

Deno.test("an honest lock entry matches its wheel's METADATA", () => {
  assertEquals(compareWithLock(entry(), wheel), null);
  // A marker dependency that applied on the lock's target may be in the lock, or not.
  assertEquals(
    compareWithLock(entry({ dependencies: ["wordlib>=1.0,<3", "colorama"] }), wheel),
    null,
  );
  // An extra the entry requests brings its requirements.
  assertEquals(
    compareWithLock(
      entry({ extras: ["fancy"], dependencies: ["wordlib>=1.0,<3", "rich[jupyter]>=10"] }),
      wheel,
    ),
    null,
  );
  // A wheel without Requires-Python: the lock records none (the lock writes the wheel's own, not
  // the index page's), and a lock that holds one is a claim the wheel does not make.
  assertEquals(
    compareWithLock(entry({ dependencies: [] }), meta(["Name: greeter", "Version: 1"])),
    {
      field: "Version",
      detail: 'the wheel says "1"',
    },
  );
  assertEquals(
    compareWithLock(
      entry({ dependencies: [], requiresPython: undefined }),
      meta(["Name: greeter", "Version: 1.0"]),
    ),
    null,
  );
  assertEquals(
    compareWithLock(entry({ dependencies: [] }), meta(["Name: greeter", "Version: 1.0"]))?.field,
    "Requires-Python",
  );
});

Deno.test("each kind of lie is found, naming its field", () => {
  const field = (e: LockPackage) => compareWithLock(e, wheel)?.field ?? null;
  assertEquals(field(entry({ name: "other" })), "Name");
  assertEquals(field(entry({ version: "2.0" })), "Version");
  assertEquals(field(entry({ dependencies: ["evil"] })), "Requires-Dist"); // added and dropped
  assertEquals(field(entry({ dependencies: ["wordlib<3,>=1.0", "evil"] })), "Requires-Dist");
  assertEquals(field(entry({ dependencies: [] })), "Requires-Dist"); // dropped
  assertEquals(field(entry({ dependencies: ["wordlib>=1.0"] })), "Requires-Dist"); // loosened
  assertEquals(field(entry({ extras: ["fancy"] })), "Requires-Dist"); // the extra's dependency
  assertEquals(field(entry({ requiresPython: ">=3.9" })), "Requires-Python");
  assertEquals(field(entry({ requiresPython: null })), "Requires-Python");
  assertEquals(
    compareWithLock(entry({ dependencies: ["evil"] }), wheel)?.detail,
    'the lock has "evil", which the wheel does not declare',
  );
});

Deno.test("a dependency whose marker holds for the lock's target must be in the lock", () => {
  const linux = (marker: string, extras: string[]) =>
    marker.includes("python_full_version")
      ? null
      : marker.includes("win32")
      ? false
      : marker.includes("linux") || extras.includes("fancy");
  const plat = meta([
    "Name: greeter",
    "Version: 1.0",
    "Requires-Dist: wordlib; sys_platform == 'linux'",
    "Requires-Dist: colorama; sys_platform == 'win32'",
    "Requires-Dist: odd; python_full_version == '3.11.2'",
  ]);
  const field = (deps: string[]) =>
    compareWithLock(entry({ dependencies: deps, requiresPython: null }), plat, undefined, linux)
      ?.field ?? null;
  assertEquals(field(["wordlib"]), null);
  assertEquals(field(["wordlib", "odd"]), null); // unjudged: may be in the lock, or not
  assertEquals(field([]), "Requires-Dist"); // dropped although it applies
  assertEquals(field(["wordlib", "colorama"]), null); // in the wheel: a marker aside
  // Without a judge (a lock of several targets), markers are not judged.
  assertEquals(
    compareWithLock(entry({ dependencies: [], requiresPython: null }), plat),
    null,
  );
});

Deno.test("in a lock of several targets, a dependency whose marker holds where its entry applies must be locked", async () => {
  const judges = (await targetJudges([
    { python: "3.11", platform: "manylinux_2_36_x86_64" },
    { python: "3.12", platform: "win_amd64" },
  ]))!;
  const plat = meta([
    "Name: greeter",
    "Version: 1.0",
    "Requires-Dist: colorama; sys_platform == 'win32'",
    "Requires-Dist: tomli; python_version < '3.11'",
    "Requires-Dist: odd; python_full_version == '3.11.2'",
  ]);
  const field = (deps: string[], marker?: string) =>
    compareWithLock(
      entry({ dependencies: deps, requiresPython: null, marker }),
      plat,
      undefined,
      judges(marker),
    )?.field ?? null;
  // Applying everywhere: the Windows-only dependency applies on the Windows target.
  assertEquals(field([]), "Requires-Dist");
  assertEquals(field(['colorama ; sys_platform == "win32"']), null);
  // An entry for the Linux target only: colorama applies on none of its targets.
  assertEquals(field([], 'sys_platform == "linux"'), null);
  // An entry for the Windows target only: it must be there.
  assertEquals(field([], 'sys_platform == "win32"'), "Requires-Dist");
});
