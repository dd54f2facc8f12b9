import { assertEquals } from "../tests/support/assert.ts";
import { closest, didYouMean, editDistance } from "./suggest.ts";

Deno.test("editDistance counts insertions, deletions, substitutions and swaps as one edit each", () => {
  assertEquals(editDistance("", ""), 0);
  assertEquals(editDistance("abc", ""), 3);
  assertEquals(editDistance("environment", "environments"), 1);
  assertEquals(editDistance("isntall", "install"), 1); // a swap
  assertEquals(editDistance("kitten", "sitting"), 3);
  assertEquals(editDistance("lock", "lock"), 0);
});

Deno.test("closest: near words and unique prefixes, nothing for unrelated words", () => {
  const keys = ["envknit_version", "index", "environments"];
  assertEquals(closest("environment", keys), "environments");
  assertEquals(closest("enviroments", keys), "environments");
  assertEquals(closest("Index", keys), "index");
  assertEquals(closest("indx", keys), "index");
  assertEquals(closest("env", keys), null); // a prefix of two keys
  assertEquals(closest("packages", keys), null);
  assertEquals(closest("", keys), null);
  const commands = ["init", "install", "lock", "upgrade", "store", "status"];
  assertEquals(closest("instal", commands), "install");
  assertEquals(closest("upgarde", commands), "upgrade");
  assertEquals(closest("lok", commands), "lock");
  assertEquals(closest("frobnicate", commands), null);
  assertEquals(closest("x", commands), null);
  assertEquals(didYouMean("environment", keys), "; did you mean 'environments'?");
  assertEquals(didYouMean("envknit-version", keys), "; did you mean 'envknit_version'?");
  assertEquals(didYouMean("no-de", ["no-dev", "env"], "--"), "; did you mean '--no-dev'?");
  assertEquals(didYouMean("zzz", keys), "");
});
