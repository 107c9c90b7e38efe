#!/usr/bin/env bash
# The main job on a fresh machine: installs what gwanmun needs, builds it, and
# starts the gateway on its embedded defaults (127.0.0.1:8080, SQLite under
# ./data, upstream https://api.openai.com/v1 with the key from $OPENAI_API_KEY
# unless GWANMUN_UPSTREAM / GWANMUN_UPSTREAM_KEY_ENV say otherwise).
# With arguments, runs `gwanmun ARGS…` instead (e.g. scripts/run.sh scan docs/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target gwanmun
if [ "$#" -gt 0 ]; then
  exec build/release/src/cli/gwanmun "$@"
fi
exec build/release/src/cli/gwanmun serve \
  --upstream "${GWANMUN_UPSTREAM:-https://api.openai.com/v1}" \
  --upstream-key-env "${GWANMUN_UPSTREAM_KEY_ENV:-OPENAI_API_KEY}"
