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
# A prompt of the same kind carrying personal data (made-up values) that the
# general profile pseudonymizes: names, phones, an e-mail, an account number.
pii = ("상담 기록입니다. 고객 이서준 님(010-4821-7753, seojun.lee@example.co.kr)이 카드 발급 지연을 문의했고, "
       "환불 계좌는 신한은행 110-482-117530입니다. 담당자 박지민 대리(02-3781-4410)가 회신 예정입니다. "
       "위 내용을 세 줄로 요약하고 고객에게 보낼 안내 문자를 써 주세요. ")
pbody = {"model": "gpt-4o-mini", "temperature": 0.2,
         "messages": [{"role": "system", "content": "당신은 한국 금융회사의 업무 보조 도우미입니다."},
                      {"role": "user", "content": pii * 3}]}
open(sys.argv[1].replace("body.json", "pii.json"), "w").write(json.dumps(pbody, ensure_ascii=False))
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
# Two gwanmun instances: guardrails off (the proxy alone, issue 3's bar) and
# guardrails on with the default "general" profile (issue 4's bar).
start_gw() {  # name port guardrails-yaml → sets GW_PID_<name>, KEY_<name>
  local name=$1 port=$2 guard=$3
  mkdir -p "$WORK/$name"
  cat > "$WORK/$name/gwanmun.yaml" <<EOF
server:
  listen: 127.0.0.1:$port
  threads: $THREADS
data_dir: $WORK/$name/data
logging:
  access_log: "off"
guardrails:
$guard
upstreams:
  - name: bench
    base_url: http://127.0.0.1:$UP_PORT/v1
    region: kr
    models: [gpt-4o-mini]
    max_idle_connections: 256
EOF
  local key
  key=$("$GW" keys create --data-dir "$WORK/$name/data" --team bench --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
  "$GW" serve --config "$WORK/$name/gwanmun.yaml" 2>"$WORK/$name/gwanmun.err" &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 100); do
    grep -q '"msg":"listening"' "$WORK/$name/gwanmun.err" 2>/dev/null && break
    sleep 0.05
  done
  printf -v "GW_PID_$name" '%s' "$pid"
  printf -v "KEY_$name" '%s' "$key"
}
GWG_PORT=$(free_port)
start_gw off "$GW_PORT" "  enabled: false"
start_gw guard "$GWG_PORT" "  profile: general"
GW_PID=$GW_PID_off
KEY=$KEY_off
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
for t in "$UP_PORT $KEY_off body" "$NGX_PORT $KEY_off body" "$GW_PORT $KEY_off body" "$GWG_PORT $KEY_guard body" \
         "$GWG_PORT $KEY_guard pii"; do
  set -- $t
  code=$(curl -s -o "$WORK/check.out" -w '%{http_code}' -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
         --data-binary @"$WORK/$3.json" "http://127.0.0.1:$1/v1/chat/completions")
  [ "$code" = 200 ] || { echo "port $1 ($3) answered $code: $(cat "$WORK/check.out")" >&2; cat "$WORK"/*/gwanmun.err >&2; exit 1; }
done

run_wrk() {  # name url conns key [body] → "rps p50_us p99_us non2xx"
  local out
  out=$(BODY_FILE="$WORK/${5:-body}.json" GW_KEY="$4" timeout $((DURATION + 20)) \
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
for t in "direct http://127.0.0.1:$UP_PORT $KEY_off" "nginx http://127.0.0.1:$NGX_PORT $KEY_off" \
         "gwanmun http://127.0.0.1:$GW_PORT $KEY_off" "guard http://127.0.0.1:$GWG_PORT $KEY_guard"; do
  set -- $t
  BODY_FILE="$WORK/body.json" GW_KEY="$3" timeout 10 wrk -t1 -c64 -d2s -s "$WORK/post.lua" "$2/v1/chat/completions" >/dev/null 2>&1 || true
done

echo
echo "| concurrency | target | req/s | p50 (µs) | p99 (µs) | non-2xx |"
echo "|---|---|---:|---:|---:|---:|"
declare -A RPS P50
for c in 1 16 64; do
  for t in "direct http://127.0.0.1:$UP_PORT $KEY_off body" "nginx http://127.0.0.1:$NGX_PORT $KEY_off body" \
           "gwanmun http://127.0.0.1:$GW_PORT $KEY_off body" "gwanmun+guardrails http://127.0.0.1:$GWG_PORT $KEY_guard body" \
           "gwanmun+guardrails(pii) http://127.0.0.1:$GWG_PORT $KEY_guard pii"; do
    set -- $t
    [ "$c" != 1 ] && [ "$4" = pii ] && continue
    read -r rps p50 p99 bad < <(run_wrk "$1" "$2" "$c" "$3" "$4")
    RPS[$1-$c]=$rps; P50[$1-$c]=$p50
    printf '| %s | %s | %.0f | %.0f | %.0f | %s |\n' "$c" "$1" "$rps" "$p50" "$p99" "$bad"
  done
done
RSS_LOADED=$(rss "$GW_PID")
echo
python3 - "${P50[gwanmun-1]}" "${P50[direct-1]}" "${RPS[gwanmun-64]}" "${RPS[nginx-64]}" "$RSS_IDLE" "$RSS_LOADED" "$(hwm "$GW_PID")" \
  "${P50[gwanmun+guardrails-1]}" "${P50[gwanmun+guardrails(pii)-1]}" <<'EOF'
import sys
gw1, d1, gw64, ngx64, idle, loaded, peak, g1, gp1 = map(float, sys.argv[1:])
print(f"gwanmun p50 overhead over direct at c=1: {gw1 - d1:.0f} µs (goal ≤ 100)")
print(f"guardrails on (general) p50 over guardrails off at c=1: {g1 - gw1:.0f} µs; "
      f"with personal data pseudonymized: {gp1 - gw1:.0f} µs (goal ≤ 50)")
print(f"gwanmun req/s at c=64 vs nginx: {100 * gw64 / ngx64:.0f}% (goal ≥ 70%)")
print(f"gwanmun RSS: idle {idle:.0f} MB, after load {loaded:.0f} MB, peak {peak:.0f} MB (goal idle < 50 MB)")
EOF
AUDITED=$("$GW" audit verify --data-dir "$WORK/off/data" 2>&1 | tail -1 || true)
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
