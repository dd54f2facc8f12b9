import { assertEquals } from "../../tests/support/assert.ts";
import {
  formatRecord,
  hexToRecordDigest,
  parseRecord,
  recordDigest,
  sameDigest,
} from "./record.ts";

Deno.test("parseRecord: plain and quoted fields, blank lines, rows without hash", () => {
  const text = 'a/__init__.py,sha256=AbC-_d,12\r\n"a/with,comma.py",sha256=x,3\n' +
    '"a/""quoted"".py",,\n\npkg-1.0.dist-info/RECORD,,\n';
  assertEquals(parseRecord(text), [
    { path: "a/__init__.py", algorithm: "sha256", digest: "AbC-_d", size: 12 },
    { path: "a/with,comma.py", algorithm: "sha256", digest: "x", size: 3 },
    { path: 'a/"quoted".py', algorithm: "", digest: "", size: null },
    { path: "pkg-1.0.dist-info/RECORD", algorithm: "", digest: "", size: null },
  ]);
});

Deno.test("parseRecord: malformed rows are null, not a crash", () => {
  for (
    const bad of [
      '"unterminated,sha256=x,1\n',
      "a,b\n",
      "a,sha256=x,1,extra\n",
      "a,nohash,1\n",
      "a,sha256=x,-1\n",
      '"a"b,,\n',
    ]
  ) {
    assertEquals(parseRecord(bad), null, bad);
  }
});

Deno.test("formatRecord round-trips through parseRecord", () => {
  const rows = [
    { path: "x.py", algorithm: "sha256", digest: "abc", size: 1 },
    { path: 'we,ird"name.py', algorithm: "sha256", digest: "def", size: 22 },
    { path: "d-1.dist-info/RECORD", algorithm: "", digest: "", size: null },
  ];
  assertEquals(parseRecord(formatRecord(rows)), rows);
});

Deno.test("digests: RECORD form of sha256, other algorithms, padding tolerated", () => {
  const data = new TextEncoder().encode("hello\n");
  const hex = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
  assertEquals(recordDigest("sha256", data), hexToRecordDigest(hex));
  assertEquals(recordDigest("sha256", data), "WJG1tSLV3whtD_CxEPvZ0hu0_HFjrzTQgoai6Eb2vgM");
  assertEquals(recordDigest("sha512", data).length, 86);
  assertEquals(recordDigest("sha3_256", data).length, 43);
  assertEquals(sameDigest("abc", "abc="), true);
  assertEquals(sameDigest("abc", "abd"), false);
  // Hex spelling of the same digest (seen in real wheels), and not of another one.
  assertEquals(sameDigest(recordDigest("sha256", data), hex), true);
  assertEquals(sameDigest(recordDigest("sha256", data), hex.replace(/^5/, "6")), false);
});
