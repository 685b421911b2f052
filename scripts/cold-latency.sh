#!/usr/bin/env bash
# Latency of questions a running server has not seen: every dev query once,
# one at a time, against a server started just before (so no cache holds
# them). Where scripts/load.sh measures throughput with the queries cycled
# (mostly remembered), this measures what an unseen question costs.
#
#   scripts/cold-latency.sh [BASE_URL] [ROUTE...]   default http://127.0.0.1:8080, /api/search /search
#
# Start a fresh server for each run: a second run finds every query cached.
# DOUM_EVAL_DIR (../shared/eval from the repository root) holds the queries.
# Prints per route: the number of queries, their total time, p50, p90, p99.
set -euo pipefail

url="${1:-http://127.0.0.1:8080}"
url="${url%/}"
shift || true
routes=("$@")
[[ ${#routes[@]} -gt 0 ]] || routes=(/api/search /search)
root="$(cd "$(dirname "$0")/.." && pwd)"
eval_dir="${DOUM_EVAL_DIR:-$root/../shared/eval}"
queries=("$eval_dir/dev-queries.tsv" "$eval_dir/dev-b/queries.tsv")
for q in "${queries[@]}"; do
  [[ -r "$q" ]] || { echo "cannot read $q (set DOUM_EVAL_DIR)" >&2; exit 2; }
done
if ! curl -fsS "$url/healthz" >/dev/null 2>&1; then
  echo "no doum server answers $url/healthz: start one (doum serve --addr ...)" >&2
  exit 2
fi

python3 - "$url" "${queries[@]}" -- "${routes[@]}" <<'PY'
import sys, time, urllib.parse, urllib.request
args = sys.argv[1:]
url, files, routes = args[0], args[1:args.index("--")], args[args.index("--") + 1:]
queries = []
for f in files:
    with open(f, encoding="utf-8") as fh:
        next(fh)
        queries += [line.split("\t")[0] for line in fh if line.strip()]
for route in routes:
    ms = []
    for q in queries:
        start = time.perf_counter()
        with urllib.request.urlopen(f"{url}{route}?q={urllib.parse.quote(q)}", timeout=30) as r:
            r.read()
        ms.append((time.perf_counter() - start) * 1000)
    ms.sort()
    at = lambda p: ms[min(len(ms) - 1, int(p * len(ms)))]
    print(f"{route:12} n={len(ms)} total={sum(ms) / 1000:.2f} s "
          f"p50={at(.5):.2f} ms p90={at(.9):.2f} ms p99={at(.99):.2f} ms")
PY
