#!/usr/bin/env bash
# Time from `doum serve` start until /healthz answers, and the server's RSS
# then. The server keeps running; its pid is printed (stop it with kill PID).
#
#   scripts/start-time.sh DOUM_BINARY ADDR [doum options...]
#   e.g. scripts/start-time.sh target/release/doum 127.0.0.1:8090 --content c100k --index idx100k
set -euo pipefail
bin="$1"; addr="$2"; shift 2
start=$(date +%s%N)
"$bin" "$@" serve --addr "$addr" >/dev/null 2>&1 &
pid=$!
until curl -fsS "http://$addr/healthz" >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || { echo "the server exited" >&2; exit 1; }
  sleep 0.01
done
end=$(date +%s%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "healthz after $(( (end - start) / 1000000 )) ms; RSS $(( rss / 1024 )) MB; pid $pid"
