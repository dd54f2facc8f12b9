#!/usr/bin/env bash
# Builds the resolver crate to WebAssembly and copies it to resolver/envknit_resolver.wasm.
#   bash resolver/build_wasm.sh           rebuild and replace the committed .wasm
#   bash resolver/build_wasm.sh --check   rebuild and fail if it differs from the committed .wasm
# Uses Debian's rustc 1.63 (apt-get install rustc cargo libstd-rust-dev-wasm32) so the output is
# reproducible: a rustup toolchain earlier on PATH is bypassed on purpose.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
crate="$here/wasm"
out="$here/envknit_resolver.wasm"
export RUSTC=/usr/bin/rustc
# Paths of this checkout must not leak into the binary, or two clones would build different bytes.
export RUSTFLAGS="--remap-path-prefix=$crate=/envknit/resolver/wasm --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
export CARGO_TARGET_DIR="$crate/target"
if [ ! -x /usr/bin/cargo ] || [ ! -x /usr/bin/rustc ]; then
  echo "error: Debian's rustc/cargo are missing: apt-get install -y rustc cargo libstd-rust-dev-wasm32" >&2
  exit 1
fi
/usr/bin/cargo build --quiet --release --target wasm32-unknown-unknown --manifest-path "$crate/Cargo.toml"
built="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/envknit_resolver.wasm"
if [ "${1:-}" = "--check" ]; then
  if ! cmp -s "$built" "$out"; then
    echo "error: resolver/envknit_resolver.wasm differs from a fresh build; run 'deno task wasm' and commit it" >&2
    exit 1
  fi
  echo "resolver wasm: committed file matches a fresh build ($(wc -c <"$out") bytes)"
else
  cp "$built" "$out"
  echo "resolver wasm: wrote $out ($(wc -c <"$out") bytes)"
fi
