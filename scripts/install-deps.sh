#!/usr/bin/env bash
# Installs every Debian package gwanmun needs to build, test, fuzz and benchmark.
# Idempotent; run as root (or with sudo) on Debian 12.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(
  build-essential g++ cmake ninja-build pkg-config git python3
  clang-14 libclang-rt-14-dev clang-format
  libhyperscan-dev
  libboost-dev libboost-system-dev
  libssl-dev ca-certificates
  nlohmann-json3-dev libsimdjson-dev libyaml-cpp-dev
  libspdlog-dev libfmt-dev libcli11-dev
  libsqlite3-dev libpq-dev libhiredis-dev libsodium-dev
  libgoogle-perftools-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  openssl sqlite3
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js (for the end-to-end tests' official openai SDK): the machine image ships
# a nodejs that bundles npm; only install Debian's when there is none.
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
