// Damaged and random inputs must give a ZipError (or, when the damage is harmless, the data):
// never another exception, a hang, or a crash.
import { assert } from "../../tests/support/assert.ts";
import { mulberry32 as random } from "../../tests/support/random.ts";
import { buildWheel } from "../../tests/support/wheel_factory.ts";
import { writeZip } from "../../tests/support/zip_writer.ts";
import { ZipError } from "./errors.ts";
import { openZip } from "./reader.ts";

/** Opens and reads every member; returns how it ended. Any non-ZipError fails the test. */
async function exercise(bytes: Uint8Array, label: string): Promise<"ok" | "error"> {
  let outcome: "ok" | "error" = "ok";
  const work = (async () => {
    try {
      const zip = await openZip(bytes);
      for (const entry of zip.entries) {
        try {
          const data = await zip.read(entry);
          assert(data.length === entry.size, label);
          const streamed = await new Response(zip.stream(entry, 512)).arrayBuffer();
          assert(streamed.byteLength === entry.size, label);
        } catch (error) {
          if (!(error instanceof ZipError)) throw error;
          outcome = "error";
        }
      }
    } catch (error) {
      if (!(error instanceof ZipError)) {
        throw new Error(`${label}: ${error} is not a ZipError`, { cause: error });
      }
      outcome = "error";
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no answer within 5 s`)), 5000);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return outcome;
}

async function samples(): Promise<Uint8Array[]> {
  const wheel = await buildWheel({
    name: "fuzz-me",
    version: "1.0",
    requiresDist: ["a>=1"],
    files: {
      "fuzz_me/__init__.py": "x = 1\n".repeat(200),
      "fuzz_me/data.bin": new Uint8Array(3000).map((_, i) => i % 7),
    },
    entryPoints: { console_scripts: { fuzz: "fuzz_me:main" } },
  });
  const zip64 = await writeZip(
    [
      { name: "a/", method: "store" },
      { name: "a/b.txt", data: "hello ".repeat(300), dataDescriptor: true },
      { name: "a/c.bin", data: new Uint8Array(500), method: "store" },
    ],
    { zip64: true, comment: "c" },
  );
  return [wheel.bytes, zip64];
}

Deno.test("every truncation of an archive is an error, never a hang or another exception", async () => {
  for (const sample of await samples()) {
    for (let length = 0; length < sample.length; length += 7) {
      const outcome = await exercise(sample.subarray(0, length), `truncated to ${length}`);
      assert(outcome === "error", `truncated to ${length} bytes was read without error`);
    }
  }
});

Deno.test("random byte damage gives ZipErrors or correct data", async () => {
  const rnd = random(20261121);
  const bases = await samples();
  let errors = 0;
  const rounds = 1500;
  for (let round = 0; round < rounds; round++) {
    const base = bases[round % bases.length];
    const bytes = base.slice();
    // Aim half of the damage at the last kilobyte: the end records and the central directory.
    const flips = 1 + Math.floor(rnd() * 6);
    for (let i = 0; i < flips; i++) {
      const at = rnd() < 0.5
        ? bytes.length - 1 - Math.floor(rnd() * Math.min(1024, bytes.length))
        : Math.floor(rnd() * bytes.length);
      bytes[at] = rnd() < 0.3 ? 0xff : Math.floor(rnd() * 256);
    }
    if ((await exercise(bytes, `round ${round}`)) === "error") errors++;
  }
  assert(errors > rounds / 4, `only ${errors} of ${rounds} damaged archives were noticed`);
});

Deno.test("random bytes and random splices are ZipErrors", async () => {
  const rnd = random(99);
  const [wheel] = await samples();
  for (let round = 0; round < 300; round++) {
    const noise = new Uint8Array(Math.floor(rnd() * 2000)).map(() => Math.floor(rnd() * 256));
    assert((await exercise(noise, `noise ${round}`)) === "error");
    // Noise carrying a valid-looking end record at its end.
    const fake = new Uint8Array([...noise, ...wheel.subarray(wheel.length - 22)]);
    assert((await exercise(fake, `fake end ${round}`)) === "error");
    // A piece of the archive moved elsewhere.
    const a = Math.floor(rnd() * wheel.length);
    const b = Math.floor(rnd() * wheel.length);
    const spliced = new Uint8Array([...wheel.subarray(0, a), ...wheel.subarray(b)]);
    await exercise(spliced, `splice ${round}`);
  }
});
