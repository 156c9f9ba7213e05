#!/usr/bin/env bash
# scripts/test.sh — installs what is missing, builds deja and runs every
# unit and integration test (`scons test`). Extra arguments go to scons,
# e.g. `bash scripts/test.sh MODE=asan`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
scons -j2 test "$@"
