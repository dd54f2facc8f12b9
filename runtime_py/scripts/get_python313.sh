#!/usr/bin/env bash
# Python 3.13 for the SubInterpreterEnv tests, taken from Debian trixie without touching the system.
#
# Debian 12 ships Python 3.11 and an older glibc, so this downloads trixie's python3.13 packages
# *and* trixie's libc6 with apt-get's own configuration (a private sources list, package lists and
# cache under .envknit-dev/apt-trixie; /etc/apt is never edited), unpacks them with `dpkg -x` into
# .envknit-dev/python3.13/, and writes .envknit-dev/python3.13/bin/python3.13: a wrapper that runs
# the interpreter through that folder's own dynamic loader and libraries.
#
#   bash runtime_py/scripts/get_python313.sh     idempotent; prints one line saying what it did
#
# A pyvenv.cfg beside bin/ points the interpreter at its standard library, so it needs no
# PYTHONHOME (which `-I` would ignore) and sys.executable is the wrapper, runnable again.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dest="$root/.envknit-dev/python3.13"
apt_dir="$root/.envknit-dev/apt-trixie"
wrapper="$dest/bin/python3.13"

works() { [ -x "$wrapper" ] && "$wrapper" -I -c 'import _interpreters, json, subprocess' >/dev/null 2>&1; }
if works; then
  echo "python3.13: already set up: $wrapper"
  exit 0
fi

case "$(dpkg --print-architecture)" in
  amd64) triplet=x86_64-linux-gnu; loader=ld-linux-x86-64.so.2 ;;
  arm64) triplet=aarch64-linux-gnu; loader=ld-linux-aarch64.so.1 ;;
  *) echo "error: get_python313.sh supports amd64 and arm64 only" >&2; exit 1 ;;
esac

# The interpreter, its standard library, and the shared libraries they load (trixie's, glibc too).
packages=(
  python3.13 python3.13-minimal libpython3.13-minimal libpython3.13-stdlib
  libc6 libgcc-s1 zlib1g libexpat1 libffi8 libbz2-1.0 liblzma5 libzstd1 libuuid1 libsqlite3-0
  libssl3t64 libncursesw6 libtinfo6 libreadline8t64 libdb5.3t64
)

mkdir -p "$apt_dir"/{lists/partial,cache/archives/partial,etc/sources.list.d,etc/preferences.d,debs}
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
  >"$apt_dir/etc/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$apt_dir/etc/sources.list"
  -o "Dir::Etc::sourceparts=$apt_dir/etc/sources.list.d"
  -o "Dir::Etc::preferencesparts=$apt_dir/etc/preferences.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o Debug::NoLocking=1 -o Acquire::Languages=none -o APT::Sandbox::User="$(id -un)"
)

log="$apt_dir/log.txt"
: >"$log"
if ! apt-get "${apt_opts[@]}" -q update >>"$log" 2>&1; then
  echo "error: apt-get update (trixie lists) failed; see $log" >&2
  exit 1
fi
rm -f "$apt_dir"/debs/*.deb
if ! (cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" -q download "${packages[@]}" >>"$log" 2>&1); then
  echo "error: apt-get download failed; see $log" >&2
  exit 1
fi

rm -rf "$dest"
mkdir -p "$dest/bin"
for deb in "$apt_dir"/debs/*.deb; do dpkg -x "$deb" "$dest"; done

libdirs="$dest/usr/lib/$triplet:$dest/lib/$triplet:$dest/usr/lib"
cat >"$dest/pyvenv.cfg" <<CFG
home = $dest/usr/bin
include-system-site-packages = false
version = 3.13
CFG
cat >"$wrapper" <<SH
#!/bin/sh
# Debian trixie's Python 3.13, run through trixie's own loader and libraries (see get_python313.sh).
exec "$dest/usr/lib/$triplet/$loader" --library-path "$libdirs" --argv0 "\$0" "$dest/usr/bin/python3.13" "\$@"
SH
chmod +x "$wrapper"

if ! works; then
  echo "error: $wrapper does not start or lacks _interpreters/json/subprocess" >&2
  exit 1
fi
echo "python3.13: installed Debian trixie's $("$wrapper" -c 'import sys; print(sys.version.split()[0])') into $dest (run $wrapper)"
