#!/usr/bin/env bash
# Python 3.13 (Debian trixie's, unpacked into .envknit-dev/) for the SubInterpreterEnv tests.
exec bash "$(dirname "$0")/../../runtime_py/scripts/get_python313.sh"
