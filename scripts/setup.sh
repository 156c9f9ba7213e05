#!/usr/bin/env bash
# scripts/setup.sh — installs the Debian packages deja needs to build and
# test. Idempotent: does nothing (not even `apt-get update`) when all of
# them are already installed. Works as root on a fresh Debian 12, or
# through sudo otherwise.
set -euo pipefail

# The last line: real programs the integration tests record (issue 4).
packages=(gcc libc6-dev pkg-config scons gdb musl-tools
          libzstd-dev libelf-dev libcmocka-dev libzydis-dev libxxhash-dev
          make python3 sqlite3 coreutils dash)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup: all build dependencies are installed"
	exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		sudo=(sudo)
	else
		echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
