import { IndexProvider } from "./index_provider.ts";
import { resolve } from "../../resolver/mod.ts";
import { IndexClient } from "../../store/index/client.ts";
import { HttpClient } from "../../store/http/client.ts";
import { interpreterFromTarget } from "../../store/tags/mod.ts";
import { EnvknitError } from "../../core/errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../../tests/support/assert.ts";
import { startIndex } from "../../tests/support/index_server.ts";
import { buildSdist, buildWheel } from "../../tests/support/wheel_factory.ts";

const linux312 = interpreterFromTarget({
  pythonVersion: "3.12",
  platform: "manylinux_2_28_x86_64",
});

function provider(url: string, options: { anyWheel?: boolean; noBinary?: string[] } = {}) {
  const index = new IndexClient({
    http: new HttpClient({ retries: 0, netrc: null }),
    indexUrls: [url],
  });
  return new IndexProvider({ index, interpreter: linux312, ...options });
}

Deno.test("candidates: yanks, Requires-Python, and why a version cannot be installed", async () => {
  const files = [
    await buildWheel({ name: "pkg", version: "1.0", requiresPython: ">=3.8" }),
    { ...await buildWheel({ name: "pkg", version: "1.1" }), yanked: "broken" },
    // 1.2: one wheel yanked, one not: the version is not yanked.
    { ...await buildWheel({ name: "pkg", version: "1.2", tags: ["py2-none-any"] }), yanked: true },
    await buildWheel({ name: "pkg", version: "1.2", tags: ["py3-none-any"] }),
    await buildWheel({ name: "pkg", version: "2.0", tags: ["cp311-cp311-win_amd64"] }),
    await buildSdist({ name: "pkg", version: "3.0" }),
    await buildWheel({ name: "pkg", version: "1.0.0.post1" }),
  ];
  await using index = await startIndex({ projects: { pkg: files } });
  const versions = await provider(index.url).listVersions("PKG");
  assertEquals(versions, [
    {
      version: "3.0",
      yanked: false,
      requiresPython: null,
      unavailable:
        "only a source distribution (pkg-3.0.tar.gz) is available, and envknit installs wheels only",
    },
    {
      version: "2.0",
      yanked: false,
      requiresPython: null,
      unavailable: versions![1].unavailable, // checked below
    },
    { version: "1.2", yanked: false, requiresPython: null, unavailable: null },
    { version: "1.1", yanked: true, requiresPython: null, unavailable: null },
    { version: "1.0.0.post1", yanked: false, requiresPython: null, unavailable: null },
    { version: "1.0", yanked: false, requiresPython: ">=3.8", unavailable: null },
  ]);
  assertStringIncludes(versions![1].unavailable!, "no wheel for CPython 3.12");
  assertStringIncludes(versions![1].unavailable!, "win_amd64");
  assertEquals(await provider(index.url).listVersions("nothing"), null);
});

Deno.test("a wheel without a sha256 makes its version unavailable, saying why", async () => {
  await using index = await startIndex({
    projects: { pkg: [await buildWheel({ name: "pkg", version: "1.0" })] },
    hashes: false,
  });
  const [v] = (await provider(index.url).listVersions("pkg"))!;
  assertStringIncludes(v.unavailable!, "gives no sha256 for pkg-1.0-py3-none-any.whl");
});

Deno.test("anyWheel accepts a wheel for another platform; noBinary refuses every wheel", async () => {
  const win = await buildWheel({
    name: "pkg",
    version: "1.0",
    tags: ["cp313-cp313-win_amd64"],
    requiresDist: ["dep"],
  });
  await using index = await startIndex({ projects: { pkg: [win] } });
  assert((await provider(index.url).listVersions("pkg"))![0].unavailable);
  const any = provider(index.url, { anyWheel: true });
  assertEquals((await any.listVersions("pkg"))![0].unavailable, null);
  assertEquals((await any.getMetadata("pkg", "1.0")).requiresDist, ["dep"]);
  const none = provider(index.url, { noBinary: [":all:"], anyWheel: true });
  assertStringIncludes((await none.listVersions("pkg"))![0].unavailable!, "--no-binary");
});

Deno.test("metadata from the target's wheel; a file whose metadata names another project fails", async () => {
  const good = await buildWheel({
    name: "pkg",
    version: "1.0",
    requiresDist: ["dep>=1", "win; sys_platform == 'win32'"],
    requiresPython: ">=3.9",
  });
  const liar = await buildWheel({ name: "other", version: "9.9" });
  await using index = await startIndex({ projects: { pkg: [good] } });
  // A wheel named like pkg 2.0 whose METADATA says it is `other 9.9`.
  index.addFile("pkg", { ...liar, filename: "pkg-2.0-py3-none-any.whl" });
  const p = provider(index.url);
  assertEquals(await p.getMetadata("pkg", "1.0"), {
    requiresDist: ["dep>=1", "win; sys_platform == 'win32'"],
    requiresPython: ">=3.9",
  });
  await assertRejects(() => p.getMetadata("pkg", "2.0"), EnvknitError, "describes other 9.9");
});

Deno.test("resolving reads ahead only what the solver hints: no page or metadata it will not use", async () => {
  const files = {
    app: [
      await buildWheel({
        name: "app",
        version: "1.0",
        requiresDist: ["lib<2", "winonly; sys_platform == 'win32'", "extra-dep; extra == 'x'"],
      }),
    ],
    lib: [
      await buildWheel({ name: "lib", version: "1.5" }),
      await buildWheel({ name: "lib", version: "2.0" }),
      await buildWheel({ name: "lib", version: "1.9rc1" }),
    ],
    winonly: [await buildWheel({ name: "winonly", version: "1.0" })],
    "extra-dep": [await buildWheel({ name: "extra-dep", version: "1.0" })],
  };
  await using index = await startIndex({ projects: files });
  const result = await resolve(
    { requirements: ["app"], environment: linux312.markers },
    provider(index.url),
  );
  assert(result.ok);
  assertEquals(result.packages.map((p) => `${p.name} ${p.version}`), ["app 1.0", "lib 1.5"]);
  const paths = index.requests.map((r) => r.path);
  // The highest final release inside `lib<2`: 1.5 (not 2.0, not the pre-release).
  assert(paths.some((x) => x.endsWith("lib-1.5-py3-none-any.whl.metadata")), paths.join(" "));
  assertEquals(paths.some((x) => x.includes("lib-2.0") || x.includes("lib-1.9rc1")), false);
  // Nothing for a win32-only dependency, nor for one behind an extra.
  assertEquals(paths.some((x) => x.includes("winonly") || x.includes("extra-dep")), false);
  assertEquals(index.counts.page + index.counts.metadata, 4);
});
