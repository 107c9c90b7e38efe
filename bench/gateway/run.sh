#!/usr/bin/env bash
# Gateway benchmark, all on 127.0.0.1, bounded in time (~2 minutes by default).
#
# Measures in one run, at concurrency 1, 16 and 64, with a ~1.5 KB Korean
# chat-completions body:
#   direct   wrk → upstream
#   nginx    wrk → nginx (plain reverse proxy, keep-alive upstream pool) → upstream
#   gwanmun  wrk → gwanmun serve (virtual key auth, audit log on, guardrails off) → upstream
# The upstream is nginx answering a fixed chat completion (`return 200`), so
# the upstream is not the bottleneck. Also reports gwanmun's resident memory
# idle and after the load.
#
#   bench/gateway/run.sh [path/to/gwanmun]
#   DURATION=10 THREADS=2 SOAK=0 bench/gateway/run.sh
# SOAK=600 adds a 10-minute c=64 run through gwanmun, sampling RSS every 30 s.
#
# Needs wrk and nginx (installed here with apt-get if missing; they are not
# build or CI dependencies).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
GW="${1:-${GWANMUN_BINARY:-$ROOT/build/release/src/cli/gwanmun}}"
DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"   # gwanmun event-loop threads and nginx proxy workers
SOAK="${SOAK:-0}"
[ -x "$GW" ] || { echo "gwanmun binary not found at $GW (build first, or pass its path)" >&2; exit 2; }

need=()
command -v wrk >/dev/null || need+=(wrk)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need+=(nginx)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

WORK="$(mktemp -d /tmp/gwanmun-bench.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/up/nginx.pid" ] && kill "$(cat "$WORK/up/nginx.pid")" 2>/dev/null || true
  [ -f "$WORK/px/nginx.pid" ] && kill "$(cat "$WORK/px/nginx.pid")" 2>/dev/null || true
  sleep 0.3
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
UP_PORT=$(free_port); NGX_PORT=$(free_port); GW_PORT=$(free_port)

# --- request body (~1.5 KB of Korean) and upstream answer ---------------------
python3 - "$WORK/body.json" "$WORK/answer.json" <<'EOF'
import json, sys
text = ("안녕하세요. 다음 분기 고객 상담 보고서를 요약해 주세요. 상담 건수는 전 분기 대비 12% 늘었고, "
        "주요 문의는 카드 발급 지연, 모바일 앱 로그인 오류, 대출 금리 안내였습니다. "
        "각 항목별로 원인과 개선 방안을 세 줄 이내로 정리하고, 마지막에 경영진에게 전달할 핵심 메시지를 한 문장으로 써 주세요. ")
body = {"model": "gpt-4o-mini", "temperature": 0.2,
        "messages": [{"role": "system", "content": "당신은 한국 금융회사의 업무 보조 도우미입니다."},
                     {"role": "user", "content": text * 3}]}
raw = json.dumps(body, ensure_ascii=False)
open(sys.argv[1], "w").write(raw)
answer = {"id": "chatcmpl-bench", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-mini",
          "choices": [{"index": 0, "message": {"role": "assistant", "content": "요약: 상담 건수 증가, 주요 원인 세 가지."},
                       "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 420, "completion_tokens": 18, "total_tokens": 438}}
open(sys.argv[2], "w").write(json.dumps(answer, ensure_ascii=False))
print(f"request body: {len(raw.encode())} bytes", file=sys.stderr)
EOF
ANSWER="$(cat "$WORK/answer.json")"

# --- upstream: nginx with a fixed answer --------------------------------------
mkdir -p "$WORK/up" "$WORK/px"
cat > "$WORK/up/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/up/nginx.pid;
error_log $WORK/up/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/up/tmp;
  server {
    listen 127.0.0.1:$UP_PORT;
    keepalive_requests 10000000;
    location / {
      default_type application/json;
      return 200 '$ANSWER';
    }
  }
}
EOF
"$NGINX" -p "$WORK/up" -c "$WORK/up/nginx.conf" -e "$WORK/up/error.log"

# --- nginx as a plain reverse proxy ---------------------------------------------
cat > "$WORK/px/nginx.conf" <<EOF
worker_processes $THREADS;
pid $WORK/px/nginx.pid;
error_log $WORK/px/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/px/tmp;
  proxy_temp_path $WORK/px/ptmp;
  upstream up { server 127.0.0.1:$UP_PORT; keepalive 256; }
  server {
    listen 127.0.0.1:$NGX_PORT reuseport;
    keepalive_requests 10000000;
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
"$NGINX" -p "$WORK/px" -c "$WORK/px/nginx.conf" -e "$WORK/px/error.log"

# --- gwanmun ----------------------------------------------------------------------
cat > "$WORK/gwanmun.yaml" <<EOF
server:
  listen: 127.0.0.1:$GW_PORT
  threads: $THREADS
data_dir: $WORK/data
logging:
  access_log: "off"
upstreams:
  - name: bench
    base_url: http://127.0.0.1:$UP_PORT/v1
    region: kr
    models: [gpt-4o-mini]
    max_idle_connections: 256
EOF
KEY=$("$GW" keys create --data-dir "$WORK/data" --team bench --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
"$GW" serve --config "$WORK/gwanmun.yaml" 2>"$WORK/gwanmun.err" &
GW_PID=$!
PIDS+=("$GW_PID")
for _ in $(seq 100); do
  grep -q '"msg":"listening"' "$WORK/gwanmun.err" 2>/dev/null && break
  sleep 0.05
done
sleep 0.5
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$1/status"; }
hwm() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$1/status"; }
RSS_IDLE=$(rss "$GW_PID")

cat > "$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("GW_KEY")
if key ~= nil and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
local f = io.open(os.getenv("BODY_FILE"), "rb")
wrk.body = f:read("*a")
f:close()
EOF

# Check every path answers 200 before measuring.
for url in "http://127.0.0.1:$UP_PORT" "http://127.0.0.1:$NGX_PORT" "http://127.0.0.1:$GW_PORT"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
         --data-binary @"$WORK/body.json" "$url/v1/chat/completions")
  [ "$code" = 200 ] || { echo "$url answered $code" >&2; cat "$WORK/gwanmun.err" >&2; exit 1; }
done

run_wrk() {  # name url conns key → "rps p50_us p99_us non2xx"
  local out
  out=$(BODY_FILE="$WORK/body.json" GW_KEY="$4" timeout $((DURATION + 20)) \
        wrk -t1 -c"$3" -d"${DURATION}s" --latency -s "$WORK/post.lua" "$2/v1/chat/completions" 2>&1)
  echo "$out" > "$WORK/wrk-$1-$3.txt"
  local rps p50 p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "$rps $(to_us "$p50") $(to_us "$p99") ${bad:-0}"
}
to_us() {  # wrk prints 123.45us, 1.23ms, 1.02s
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n*1000; else if (v ~ /s$/) print n*1000000; else print n }'
}

# Warm up connection pools.
for t in "direct http://127.0.0.1:$UP_PORT" "nginx http://127.0.0.1:$NGX_PORT" "gwanmun http://127.0.0.1:$GW_PORT"; do
  set -- $t
  BODY_FILE="$WORK/body.json" GW_KEY="$KEY" timeout 10 wrk -t1 -c64 -d2s -s "$WORK/post.lua" "$2/v1/chat/completions" >/dev/null 2>&1 || true
done

echo
echo "| concurrency | target | req/s | p50 (µs) | p99 (µs) | non-2xx |"
echo "|---|---|---:|---:|---:|---:|"
declare -A RPS P50
for c in 1 16 64; do
  for t in "direct http://127.0.0.1:$UP_PORT" "nginx http://127.0.0.1:$NGX_PORT" "gwanmun http://127.0.0.1:$GW_PORT"; do
    set -- $t
    read -r rps p50 p99 bad < <(run_wrk "$1" "$2" "$c" "$KEY")
    RPS[$1-$c]=$rps; P50[$1-$c]=$p50
    printf '| %s | %s | %.0f | %.0f | %.0f | %s |\n' "$c" "$1" "$rps" "$p50" "$p99" "$bad"
  done
done
RSS_LOADED=$(rss "$GW_PID")
echo
python3 - "${P50[gwanmun-1]}" "${P50[direct-1]}" "${RPS[gwanmun-64]}" "${RPS[nginx-64]}" "$RSS_IDLE" "$RSS_LOADED" "$(hwm "$GW_PID")" <<'EOF'
import sys
gw1, d1, gw64, ngx64, idle, loaded, peak = map(float, sys.argv[1:])
print(f"gwanmun p50 overhead over direct at c=1: {gw1 - d1:.0f} µs (goal ≤ 100)")
print(f"gwanmun req/s at c=64 vs nginx: {100 * gw64 / ngx64:.0f}% (goal ≥ 70%)")
print(f"gwanmun RSS: idle {idle:.0f} MB, after load {loaded:.0f} MB, peak {peak:.0f} MB (goal idle < 50 MB)")
EOF
AUDITED=$("$GW" audit verify --data-dir "$WORK/data" 2>&1 | tail -1 || true)
echo "audit log after the run: $AUDITED"

if [ "$SOAK" -gt 0 ]; then
  echo
  echo "soak: c=64 for ${SOAK}s through gwanmun, RSS every 30 s (MB):"
  BODY_FILE="$WORK/body.json" GW_KEY="$KEY" timeout $((SOAK + 30)) \
    wrk -t1 -c64 -d"${SOAK}s" -s "$WORK/post.lua" "http://127.0.0.1:$GW_PORT/v1/chat/completions" > "$WORK/soak.txt" 2>&1 &
  WRK_PID=$!
  samples=""
  while kill -0 "$WRK_PID" 2>/dev/null; do samples+="$(rss "$GW_PID") "; sleep 30; done
  echo "$samples"
  grep -E "Requests/sec|Non-2xx" "$WORK/soak.txt" || true
fi
