#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script):
#   1. installs Debian packages (and the e2e tests' npm packages),
#   2. builds and runs every test in the release build,
#   3. builds and runs them again under AddressSanitizer + UBSan,
#   4. builds the libFuzzer targets with clang 14 and fuzzes each for a bounded time.
# Usage: scripts/test.sh            (FUZZ_SECONDS=60 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
JOBS="$(nproc)"

step() { printf '\n==== %s ====\n' "$*"; }

step "dependencies"
bash scripts/install-deps.sh
if [ -f tests/e2e/package.json ]; then
  if [ -f tests/e2e/package-lock.json ]; then
    npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
  else
    npm install --prefix tests/e2e --no-audit --no-fund --loglevel=error
  fi
fi

step "release build + tests"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"
ctest --preset release

step "ASan + UBSan build + tests"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan

step "libFuzzer (clang 14), ${FUZZ_SECONDS}s per target"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$JOBS" --target fuzzers
for target in build/fuzz/fuzz/*_fuzz; do
  [ -x "$target" ] || continue
  name="$(basename "$target")"
  corpus="fuzz/corpus/${name%_fuzz}"
  work="build/fuzz/corpus-${name}"
  mkdir -p "$work"
  [ -d "$corpus" ] && cp -n "$corpus"/* "$work"/ 2>/dev/null || true
  echo "fuzzing $name"
  "$target" -max_total_time="$FUZZ_SECONDS" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/${name}-" "$work" 2>&1 | tail -n 12
done

step "all tests passed"
