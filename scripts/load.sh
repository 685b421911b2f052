#!/usr/bin/env bash
# Load test of a running doum server with wrk: /healthz, /api/search (the
# dev queries cycled), the results page /search (the same queries),
# /kakao/skill (the same queries as utterances),
# /api/suggest (every prefix of them, as typed in the search box), the
# home page and the first category page it links to, one after the other
# against the same server, same settings.
#
#   scripts/load.sh [BASE_URL]          default http://127.0.0.1:8080
#
# Environment: CONNECTIONS (64), THREADS (2), DURATION (10s),
# DOUM_EVAL_DIR (../shared/eval from the repository root).
# Prints req/s, p50/p99 latency and errors per endpoint, and each
# endpoint's req/s as a share of /healthz's.
#
# Needs wrk (Debian/Ubuntu: `sudo apt-get install wrk`); installs nothing.
set -euo pipefail

url="${1:-http://127.0.0.1:8080}"
url="${url%/}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
eval_dir="${DOUM_EVAL_DIR:-$root/../shared/eval}"
conns="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
duration="${DURATION:-10s}"
queries=("$eval_dir/dev-queries.tsv" "$eval_dir/dev-b/queries.tsv")

if ! command -v wrk >/dev/null; then
  echo "wrk is not installed. On Debian/Ubuntu: sudo apt-get install wrk" >&2
  exit 2
fi
for q in "${queries[@]}"; do
  [[ -r "$q" ]] || { echo "cannot read $q (set DOUM_EVAL_DIR)" >&2; exit 2; }
done
if ! curl -fsS "$url/healthz" >/dev/null 2>&1; then
  echo "no doum server answers $url/healthz: start one (doum serve --addr ...)" >&2
  exit 2
fi

# run NAME wrk-args... -> prints one table row, sets $rps
run() {
  local name="$1"
  shift
  local out
  out="$(wrk -t"$threads" -c"$conns" -d"$duration" --latency "$@")"
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  local p50 p99 non2xx sock
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
  sock="$(awk -F'[ ,]+' '/Socket errors:/ {print $4+$6+$8+$10}' <<<"$out")"
  printf '%-14s %12s %10s %10s %8s\n' "$name" "$rps" "$p50" "$p99" "$(( ${non2xx:-0} + ${sock:-0} ))"
}

echo "wrk: $threads threads, $conns connections, $duration each, against $url"
printf '%-14s %12s %10s %10s %8s\n' endpoint req/s p50 p99 errors
run /healthz "$url/healthz"
health="$rps"
run /api/search -s "$here/wrk/search.lua" "$url" -- "${queries[@]}"
search="$rps"
run "/search (page)" -s "$here/wrk/search-page.lua" "$url" -- "${queries[@]}"
page="$rps"
run /kakao/skill -s "$here/wrk/kakao.lua" "$url" -- "${queries[@]}"
kakao="$rps"
run /api/suggest -s "$here/wrk/suggest.lua" "$url" -- "${queries[@]}"
suggest="$rps"
run "/ (home)" "$url/"
home="$rps"
category="$(curl -fsS "$url/" | grep -o 'href="/categories/[^"]*"' | sed -n 1p | cut -d'"' -f2)"
run /categories/… "$url$category"
cat_rps="$rps"
awk -v h="$health" -v s="$search" -v r="$page" -v k="$kakao" -v a="$suggest" -v p="$home" -v c="$cat_rps" 'BEGIN {
  printf "ratio /api/search : /healthz = %.3f\n", s / h
  printf "ratio /search (page) : /healthz = %.3f\n", r / h
  printf "ratio /kakao/skill : /healthz = %.3f\n", k / h
  printf "ratio /api/suggest : /healthz = %.3f\n", a / h
  printf "ratio / (home) : /healthz = %.3f\n", p / h
  printf "ratio /categories/… : /healthz = %.3f\n", c / h
}'
echo "(category page: $category)"
