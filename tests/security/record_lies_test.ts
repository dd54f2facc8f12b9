// Regression (issue #14.9): RECORD is the wheel's own account of its files; every lie in it is
// refused with one error and the store unchanged.
import { buildWheel, type BuiltWheel, recordHash } from "../support/wheel_factory.ts";
import { assertRefused, lockAddingToInstalledStore } from "./support.ts";

const enc = new TextEncoder();

/** A wheel whose RECORD is `rows` (written by hand), for lies the factory has no switch for. */
async function withRecord(rows: (init: string) => string[]): Promise<BuiltWheel> {
  const init = "# liar\n";
  return await buildWheel({
    name: "liar",
    version: "1.0",
    files: { "liar/__init__.py": init },
    broken: {
      missingRecord: true,
      extraMembers: [{
        name: "liar-1.0.dist-info/RECORD",
        data: enc.encode(rows(await recordHash(enc.encode(init))).join("\n") + "\n"),
      }],
    },
  });
}

const metaRows = async (): Promise<string[]> => {
  // METADATA and WHEEL as the factory writes them, so only the row under test lies.
  const probe = await buildWheel({ name: "liar", version: "1.0" });
  const { openZip } = await import("../../store/zip/mod.ts");
  const zip = await openZip(probe.bytes);
  const record = await zip.readText("liar-1.0.dist-info/RECORD");
  return record.split("\n").filter((l) => /dist-info\/(METADATA|WHEEL),/.test(l));
};

const CASES: { name: string; wheel: () => Promise<BuiltWheel>; error: RegExp }[] = [
  {
    name: "a wrong hash",
    wheel: () => buildWheel({ name: "liar", version: "1.0", broken: { recordHash: true } }),
    error: /does not have the hash RECORD gives it/,
  },
  {
    name: "a wrong size",
    wheel: () => buildWheel({ name: "liar", version: "1.0", broken: { recordSize: true } }),
    error: /does not have the size RECORD gives it/,
  },
  {
    name: "a member it does not list",
    wheel: () =>
      buildWheel({ name: "liar", version: "1.0", broken: { unrecorded: "liar/sneaky.py" } }),
    error: /"liar\/sneaky\.py" is not listed in RECORD/,
  },
  {
    name: "a file the wheel lacks",
    wheel: () =>
      buildWheel({ name: "liar", version: "1.0", broken: { recordOnly: "liar/ghost.py" } }),
    error: /it lists "liar\/ghost\.py", which the wheel lacks/,
  },
  {
    name: "no RECORD at all",
    wheel: () => buildWheel({ name: "liar", version: "1.0", broken: { missingRecord: true } }),
    error: /has no liar-1\.0\.dist-info\/RECORD/,
  },
  {
    name: "an md5 hash",
    wheel: async () => {
      const meta = await metaRows();
      return await withRecord(() => [
        "liar/__init__.py,md5=0cc175b9c0f1b6a831c399e269772661,7",
        ...meta,
        "liar-1.0.dist-info/RECORD,,",
      ]);
    },
    error: /uses the unsafe or unknown hash md5/,
  },
  {
    name: "a row without a hash",
    wheel: async () => {
      const meta = await metaRows();
      return await withRecord(() => ["liar/__init__.py,,", ...meta, "liar-1.0.dist-info/RECORD,,"]);
    },
    error: /it has no hash for "liar\/__init__\.py"/,
  },
  {
    name: "a file listed twice, differently",
    wheel: async () => {
      const meta = await metaRows();
      return await withRecord((hash) => [
        `liar/__init__.py,${hash},7`,
        `liar/__init__.py,${hash},8`,
        ...meta,
        "liar-1.0.dist-info/RECORD,,",
      ]);
    },
    error: /is listed twice, differently/,
  },
  {
    name: "a member failing its CRC-32",
    wheel: () => buildWheel({ name: "liar", version: "1.0", broken: { badCrc: true } }),
    error: /fails its CRC-32 check/,
  },
];

for (const c of CASES) {
  Deno.test(`RECORD lies: ${c.name} is refused`, async () => {
    await using setup = await lockAddingToInstalledStore(await c.wheel());
    const { p } = setup;
    await assertRefused(
      ["install"],
      { cwd: p.project, env: p.env, home: p.home },
      new RegExp(`^error: liar-1\\.0-py3-none-any\\.whl:? .*${c.error.source}`),
    );
  });
}
