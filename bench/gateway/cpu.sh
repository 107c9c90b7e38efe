#!/usr/bin/env bash
# CPU time per proxied request, nginx vs gwanmun, at concurrency 64 (guardrails off).
#
# Throughput on a small shared machine moves with whatever else the host runs;
# the CPU each process spends per request is steadier. For ROUNDS rounds this
# runs wrk (-t1 -c64, DURATION s) against nginx as a plain reverse proxy and
# against gwanmun, both in front of the same nginx upstream, and prints per
# target: req/s, µs of CPU per request of the proxy (all its threads), of the
# upstream and of wrk, context switches per request, and gwanmun's req/s as a
# share of nginx's in the same round.
#
#   bench/gateway/cpu.sh [path/to/gwanmun]
#   ROUNDS=3 DURATION=5 THREADS=2 bench/gateway/cpu.sh
# Env GWANMUN_PRELOAD=/path/lib.so runs gwanmun with LD_PRELOAD (allocator trials).
# Needs wrk and nginx (see run.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
GW="${1:-${GWANMUN_BINARY:-$ROOT/build/release/src/cli/gwanmun}}"
THREADS="${THREADS:-2}"
DURATION="${DURATION:-8}"
ROUNDS="${ROUNDS:-3}"
[ -x "$GW" ] || { echo "gwanmun binary not found at $GW" >&2; exit 2; }
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs wrk and nginx (bench/gateway/run.sh installs them)" >&2; exit 2; }

W="$(mktemp -d /tmp/gwanmun-cpu.XXXXXX)"
GP=""
cleanup() {
  [ -n "$GP" ] && kill "$GP" 2>/dev/null || true
  for p in "$W/up/nginx.pid" "$W/px/nginx.pid"; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
  sleep 0.3
  rm -rf "$W"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
UP=$(free_port); PX=$(free_port); GWP=$(free_port)
mkdir -p "$W/up" "$W/px"
ANS='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"요약: 상담 건수 증가, 주요 원인 세 가지."},"finish_reason":"stop"}],"usage":{"prompt_tokens":420,"completion_tokens":18,"total_tokens":438}}'
cat > "$W/up/nginx.conf" <<NG
worker_processes 1; pid $W/up/nginx.pid; error_log $W/up/error.log warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $W/up/tmp;
  server { listen 127.0.0.1:$UP; keepalive_requests 10000000;
    location / { default_type application/json; return 200 '$ANS'; } } }
NG
cat > "$W/px/nginx.conf" <<NG
worker_processes $THREADS; pid $W/px/nginx.pid; error_log $W/px/error.log warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $W/px/tmp; proxy_temp_path $W/px/ptmp;
  upstream up { server 127.0.0.1:$UP; keepalive 256; }
  server { listen 127.0.0.1:$PX reuseport; keepalive_requests 10000000;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
NG
nginx -p "$W/up" -c "$W/up/nginx.conf" -e "$W/up/error.log"
nginx -p "$W/px" -c "$W/px/nginx.conf" -e "$W/px/error.log"
cat > "$W/gw.yaml" <<Y
server: {listen: "127.0.0.1:$GWP", threads: $THREADS}
data_dir: $W/data
logging: {access_log: "off"}
guardrails: {enabled: false}
upstreams: [{name: b, base_url: "http://127.0.0.1:$UP/v1", region: kr, models: [gpt-4o-mini], max_idle_connections: 256}]
Y
KEY=$("$GW" keys create --data-dir "$W/data" --team b --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
LD_PRELOAD="${GWANMUN_PRELOAD:-}" "$GW" serve --config "$W/gw.yaml" 2>"$W/gw.err" &
GP=$!
for _ in $(seq 100); do grep -q '"msg":"listening"' "$W/gw.err" 2>/dev/null && break; sleep 0.05; done
python3 - "$W/body.json" <<'PY'
import json, sys
text = ("안녕하세요. 다음 분기 고객 상담 보고서를 요약해 주세요. 상담 건수는 전 분기 대비 12% 늘었고, "
        "주요 문의는 카드 발급 지연, 모바일 앱 로그인 오류, 대출 금리 안내였습니다. "
        "각 항목별로 원인과 개선 방안을 세 줄 이내로 정리하고, 마지막에 경영진에게 전달할 핵심 메시지를 한 문장으로 써 주세요. ")
body = {"model": "gpt-4o-mini", "temperature": 0.2,
        "messages": [{"role": "system", "content": "당신은 한국 금융회사의 업무 보조 도우미입니다."},
                     {"role": "user", "content": text * 3}]}
open(sys.argv[1], "w").write(json.dumps(body, ensure_ascii=False))
PY
cat > "$W/post.lua" <<L
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
local f = io.open("$W/body.json", "rb"); wrk.body = f:read("*a"); f:close()
L
ticks() { local s=0 p t; for p in "$@"; do for t in /proc/"$p"/task/*; do s=$((s + $(awk '{print $14+$15}' "$t/stat"))); done; done; echo "$s"; }
switches() { local s=0 p t; for p in "$@"; do for t in /proc/"$p"/task/*; do s=$((s + $(awk '/ctxt_switches/ {x+=$2} END {print x}' "$t/status"))); done; done; echo "$s"; }
UPW=$(pgrep -P "$(cat "$W/up/nginx.pid")")
PXW=$(pgrep -P "$(cat "$W/px/nginx.pid")" | tr '\n' ' ')
HZ=$(getconf CLK_TCK)
NGINX_RPS=0
measure() {  # name port pids...
  local name=$1 port=$2; shift 2
  wrk -t1 -c64 -d2s -s "$W/post.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null 2>&1  # warm-up
  local a u c out b u2 c2
  a=$(ticks "$@"); u=$(ticks $UPW); c=$(switches "$@")
  out=$( { /usr/bin/time -f "WRKCPU %U %S" wrk -t1 -c64 -d"${DURATION}s" -s "$W/post.lua" \
           "http://127.0.0.1:$port/v1/chat/completions"; } 2>&1)
  b=$(ticks "$@"); u2=$(ticks $UPW); c2=$(switches "$@")
  python3 - "$name" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$DURATION" "$HZ" "$a" "$b" "$u" "$u2" \
    "$(echo "$out" | awk '/WRKCPU/ {print $2+$3}')" "$c" "$c2" "$NGINX_RPS" <<'PY'
import sys
name, rps, d, hz, a, b, u, u2, wrk_s, c, c2, ngx = sys.argv[1:]
rps, d, hz = float(rps), float(d), float(hz)
n = rps * d
us = lambda ticks: ticks / hz * 1e6 / n
line = (f"{name:8s} {rps:8.0f} req/s   CPU per request: proxy {us(int(b) - int(a)):5.1f} µs, "
        f"upstream {us(int(u2) - int(u)):4.1f} µs, wrk {float(wrk_s) * 1e6 / n:4.1f} µs   "
        f"context switches/request {(int(c2) - int(c)) / n:.2f}")
if name == "gwanmun" and float(ngx) > 0:
    line += f"   = {100 * rps / float(ngx):.0f} % of nginx"
print(line)
PY
  [ "$name" = nginx ] && NGINX_RPS=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  return 0
}
for r in $(seq "$ROUNDS"); do
  measure nginx "$PX" $PXW
  measure gwanmun "$GWP" "$GP"
done
