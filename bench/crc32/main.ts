/**
 * CRC-32 benchmark (`deno task bench crc32`, or `deno run -A bench/crc32/main.ts [--quick]`):
 * `node:zlib`'s `crc32` (native, in Deno since 2.1) against the slicing-by-8 JavaScript version
 * the zip reader used before, on what installing wheels checksums:
 *
 * - `tiny`: 64-byte members, one call each (`__init__.py` files, where a call's cost shows);
 * - `small`: 2 KiB members, one call each (a pure-Python wheel is mostly such files);
 * - `chunks`: a 4 MiB member fed in the 64 KiB chunks that inflate hands over, the CRC carried;
 * - `whole`: one 16 MiB member in one call (a large stored member, as in a native wheel).
 *
 * Each case checks both give the same value, then prints MB/s for each and the ratio. The old
 * implementation is kept here, and only here, to measure against.
 *
 * @module
 */
import { crc32 as nativeCrc32 } from "node:zlib";

const TABLES: Uint32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0][n];
    for (let t = 1; t < 8; t++) {
      c = tables[0][c & 0xff] ^ (c >>> 8);
      tables[t][n] = c >>> 0;
    }
  }
  return tables;
})();

/** The former `store/zip/crc32.ts`: CRC-32 eight bytes at a time. */
function jsCrc32(data: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let c = ~crc;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  for (; i < end8; i += 8) {
    const a = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ c;
    c = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^
      t3[data[i + 4]] ^ t2[data[i + 5]] ^ t1[data[i + 6]] ^ t0[data[i + 7]];
  }
  for (; i < n; i++) c = t0[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

type Crc = (data: Uint8Array, crc?: number) => number;

function random(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

interface Case {
  name: string;
  /** Checksums the case's data once; returns the last CRC (so nothing is optimised away). */
  run: (crc: Crc) => number;
  bytes: number;
}

function cases(): Case[] {
  const tiny = Array.from({ length: 16384 }, () => random(64));
  const small = Array.from({ length: 2048 }, () => random(2048));
  const member = random(4 * 1024 * 1024);
  const whole = random(16 * 1024 * 1024);
  return [
    {
      name: "tiny (16384 x 64 B, one call each)",
      bytes: 16384 * 64,
      run: (crc) => {
        let last = 0;
        for (const m of tiny) last ^= crc(m);
        return last;
      },
    },
    {
      name: "small (2048 x 2 KiB, one call each)",
      bytes: 2048 * 2048,
      run: (crc) => {
        let last = 0;
        for (const m of small) last ^= crc(m);
        return last;
      },
    },
    {
      name: "chunks (4 MiB in 64 KiB chunks)",
      bytes: member.length,
      run: (crc) => {
        let c = 0;
        for (let i = 0; i < member.length; i += 65536) c = crc(member.subarray(i, i + 65536), c);
        return c;
      },
    },
    { name: "whole (16 MiB, one call)", bytes: whole.length, run: (crc) => crc(whole) },
  ];
}

/** Best time of `rounds` runs, in milliseconds. */
function best(run: () => number, rounds: number): number {
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    run();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

if (import.meta.main) {
  const rounds = Deno.args.includes("--quick") ? 3 : 15;
  const report: Record<string, unknown> = {};
  for (const c of cases()) {
    const expected = c.run(jsCrc32);
    if (c.run(nativeCrc32) !== expected) throw new Error(`${c.name}: the two CRCs differ`);
    const js = best(() => c.run(jsCrc32), rounds);
    const native = best(() => c.run(nativeCrc32), rounds);
    const mbps = (ms: number) => Math.round(c.bytes / 1e6 / (ms / 1000));
    report[c.name] = {
      "node:zlib MB/s": mbps(native),
      "javascript MB/s": mbps(js),
      "speed-up": Math.round((js / native) * 10) / 10,
    };
  }
  console.log(JSON.stringify({ deno: Deno.version.deno, rounds, cases: report }, null, 2));
}
