/**
 * Loads the resolver's WebAssembly module and calls it: one JSON request in, one JSON response
 * out (see resolver/wasm/src/abi.rs).
 *
 * The module is imported as a Wasm ES module so it travels with the code wherever the code goes:
 * a local checkout, `deno run https://…/cli/main.ts`, `deno bundle` output (inlined) and
 * `deno compile` (embedded in the module graph).
 *
 * @module
 */
import * as wasm from "./envknit_resolver.wasm";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An error the resolver module reported for a request (bad input, never a crash). */
export class ResolverCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResolverCallError";
  }
}

/**
 * Calls operation `op` (`"<group>.<name>"`) with JSON-serializable `args` and returns the result.
 * Throws {@link ResolverCallError} with the module's message when it rejects the input.
 */
export function call<T>(op: string, args: unknown): T {
  const request = encoder.encode(JSON.stringify({ op, args }));
  const ptr = wasm.ek_alloc(request.length);
  new Uint8Array(wasm.memory.buffer, ptr, request.length).set(request);
  const packed = wasm.ek_call(ptr, request.length);
  wasm.ek_free(ptr, request.length);
  const outPtr = Number(packed >> 32n);
  const outLen = Number(packed & 0xffffffffn);
  const text = decoder.decode(new Uint8Array(wasm.memory.buffer, outPtr, outLen));
  wasm.ek_free(outPtr, outLen);
  const response = JSON.parse(text) as { ok?: T; error?: string };
  if (response.error !== undefined) throw new ResolverCallError(response.error);
  return response.ok as T;
}
