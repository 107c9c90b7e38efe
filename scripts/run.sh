#!/usr/bin/env bash
# The main job on a fresh machine: installs what gwanmun needs, builds it, and
# runs it on its embedded defaults. Extra arguments go to `gwanmun`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
if [ "$#" -gt 0 ]; then
  exec build/release/src/cli/gwanmun "$@"
fi
# Until the gateway lands, the main job scans the shipped example document.
exec build/release/src/cli/gwanmun scan --stats examples/sample.txt
