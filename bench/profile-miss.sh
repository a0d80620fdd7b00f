#!/usr/bin/env bash
# Where a miss goes (not a test): the Release cluster (3 silos + 2 gateways, Redis) in front of the anchors' nginx
# origin, wrk asking gateway 0 for a new object every request, and meanwhile, per process: CPU time (from /proc),
# garbage collections and GC pause time (from each process's /metrics), and CPU samples (perf, with the runtime's
# perf map for JIT-compiled frames) of gateway 0 and of silo 0, summed by area (Orleans messaging and serialization,
# HTTP server and client, Redis, GC, kernel networking, the edge's own code) and by component per miss
# (bench/miss-stages.py). Results in bench/out/profile/. About 3 minutes.
#   bench/profile-miss.sh      knobs: DUR=30 CONNS=32 TRACE=15 PERF=1 OUT=bench/out/profile  (EMBEDDED=1: one process instead)
#   MIX=10: one request in 10 new, the others over a warmed hot set of 1,000 (the shared bench's 90/10 mix), every
#   figure still per miss: what a miss costs when misses come between hits rather than back to back (gateway 0's
#   then include the hits it serves between two misses). A silo's figures are per miss of the cluster's, a third of
#   them its own.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd); anchors="$root/../shared/bench/anchors"
DUR=${DUR:-30}; CONNS=${CONNS:-32}; TRACE=${TRACE:-15}; OUT=${OUT:-$root/bench/out/profile}
state="$root/.state/profile"; rm -rf "$state" "$OUT"; mkdir -p "$state" "$OUT"
origin_port=9190; export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false
PERF=${PERF:-1}; MIX=${MIX:-1}
if [ "$PERF" = 1 ]; then
  command -v perf >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
  # Every .NET process writes /tmp/perf-<pid>.map, so perf can name JIT-compiled frames; without W^X double
  # mapping, that code sits where the map says. Both cost throughput: PERF=0 measures CPU, GC and JIT without them.
  export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
else
  TRACE=0
fi
embedded_pid=""
cleanup() {
  [ -n "$embedded_pid" ] && kill "$embedded_pid" 2>/dev/null
  [ -f "$state/origin.pid" ] && kill "$(cat "$state/origin.pid")" 2>/dev/null
  CONFIGURATION=Release scripts/cluster.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

sed -e "s|@STATE@|$state|g" -e "s|@WORKERS@|1|" -e "s|@PAD@|$(head -c 1000 /dev/zero | tr '\0' x)|" \
    -e "s|listen 127.0.0.1:8080|listen 127.0.0.1:$origin_port|" "$anchors/origin.conf.in" >"$state/origin.conf"
nginx -c "$state/origin.conf" -g 'daemon on;' || exit 1

declare -A names metrics
if [ "${EMBEDDED:-0}" = 1 ]; then
  dotnet build Gateway -c Release -nologo -clp:ErrorsOnly >/dev/null
  (cd Gateway/bin/Release/net10.0 && exec env Edge__Listen__Viewer=http://127.0.0.1:8080 Edge__Listen__Control=http://127.0.0.1:8081 \
     Edge__Distributions__E1B__Origin=http://127.0.0.1:$origin_port Edge__Distributions__E1B__Domains__0=bench.test \
     Logging__LogLevel__Default=Warning dotnet OrleansEdge.Gateway.dll >"$state/embedded.log" 2>&1) &
  embedded_pid=$!; names[$embedded_pid]=embedded; metrics[$embedded_pid]=http://127.0.0.1:8081/metrics
  for _ in $(seq 300); do curl -sf -o /dev/null -H "Host: bench.test" http://127.0.0.1:8080/p/1 && break; sleep 0.2; done
  traced=("$embedded_pid")
else
  env Edge__Distributions__E1B__Origin=http://127.0.0.1:$origin_port Edge__Distributions__E1B__Domains__0=bench.test \
    Logging__LogLevel__Default=Warning CONFIGURATION=Release scripts/cluster.sh start 3 2 >"$state/cluster.log" 2>&1 || { tail "$state/cluster.log"; exit 1; }
  for i in 0 1 2; do p=$(cat .state/cluster/silo$i.pid); names[$p]=silo$i; metrics[$p]=http://127.0.0.1:$((9464 + i))/metrics; done
  for j in 0 1; do p=$(cat .state/cluster/gateway$j.pid); names[$p]=gateway$j; metrics[$p]=http://127.0.0.1:$((8081 + 100 * j))/metrics; done
  traced=("$(cat .state/cluster/gateway0.pid)" "$(cat .state/cluster/silo0.pid)")
fi

cpu_ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
gc() { # pid -> "gen0 gen1 gen2 pause_s jitted_methods jit_s"
  curl -s "${metrics[$1]}" | awk '
    /^dotnet_gc_collections_total/ { if ($0 ~ /gen0/) g0 += $NF; else if ($0 ~ /gen1/) g1 += $NF; else if ($0 ~ /gen2/) g2 += $NF }
    /^dotnet_gc_pause_time_seconds_total/ { p += $NF }
    /^dotnet_jit_compiled_methods_total/ { m += $NF }
    /^dotnet_jit_compilation_time_seconds_total/ { j += $NF }
    END { printf "%d %d %d %.4f %d %.4f\n", g0, g1, g2, p, m, j }'
}

# Warm: 10 s of misses so the JIT has tiered up; then measure.
wrk -t1 -c"$CONNS" -d10s -H "Host: bench.test" -s "$anchors/lua/walk.lua" http://127.0.0.1:8080 -- 50000000 >/dev/null 2>&1
# The mix's hot set, asked once (walk.lua stops by itself after it), before the CPU counted from here.
[ "$MIX" -gt 1 ] && wrk -t1 -c"$CONNS" -d60s -H "Host: bench.test" -s "$anchors/lua/walk.lua" http://127.0.0.1:8080 -- 0 1000 "$state/warmed" >/dev/null 2>&1
sleep 2
declare -A cpu0 gc0
for p in "${!names[@]}"; do cpu0[$p]=$(cpu_ms "$p"); gc0[$p]=$(gc "$p"); done
if [ "$MIX" -gt 1 ]; then
  wrk -t1 -c"$CONNS" -d"${DUR}s" -H "Host: bench.test" -s "$root/../shared/bench/mix/mix.lua" http://127.0.0.1:8080 -- 60000000 "$MIX" 1000 >"$OUT/wrk.txt" 2>&1 &
else
  wrk -t1 -c"$CONNS" -d"${DUR}s" -H "Host: bench.test" -s "$anchors/lua/walk.lua" http://127.0.0.1:8080 -- 60000000 >"$OUT/wrk.txt" 2>&1 &
fi
wrk_pid=$!
sleep 5
perf_pids=()
[ "$PERF" = 1 ] && for p in "${traced[@]}"; do
  perf record -e cpu-clock -F 499 -g -p "$p" -o "$state/${names[$p]}.perf" -- sleep "$TRACE" >"$state/perf-${names[$p]}.log" 2>&1 &
  perf_pids+=($!)
done
# Only wrk and perf: a bare wait would also wait for the embedded edge, which runs until cleanup stops it.
wait "$wrk_pid"; sleep 1; for p in "${perf_pids[@]}"; do wait "$p"; done
requests=$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")
misses=$((requests / MIX))
{
  echo "misses: $misses of $requests requests in ${DUR}s ($(awk -v r="$requests" -v d="$DUR" 'BEGIN{printf "%.0f", r/d}') req/s, one in $MIX new), wrk -t1 -c$CONNS; first ${TRACE}s after 5s traced (costs some throughput)"
  echo
  echo "| process | CPU ms per miss | gen0 / gen1 / gen2 per 10,000 misses | GC pause ms per 10,000 misses | methods JIT-compiled per 10,000 misses (JIT ms) |"
  echo "|---|---|---|---|---|"
  for p in $(for q in "${!names[@]}"; do echo "${names[$q]} $q"; done | sort | awk '{print $2}'); do
    read -r a0 a1 a2 ap am aj <<<"${gc0[$p]}"; read -r b0 b1 b2 bp bm bj <<<"$(gc "$p")"
    awk -v n="${names[$p]}" -v c0="${cpu0[$p]}" -v c1="$(cpu_ms "$p")" -v r="$misses" -v g0=$((b0 - a0)) -v g1=$((b1 - a1)) -v g2=$((b2 - a2)) -v pa="$ap" -v pb="$bp" \
      -v jm=$((bm - am)) -v ja="$aj" -v jb="$bj" \
      'BEGIN{ k = 10000 / r; printf "| %s | %.3f | %.1f / %.1f / %.1f | %.1f | %.0f (%.0f) |\n", n, (c1 - c0) / r, g0 * k, g1 * k, g2 * k, (pb - pa) * 1000 * k, jm * k, (jb - ja) * 1000 * k }' \
      | tee -a "$state/per-miss.md"
  done
} | tee "$OUT/summary.md"
# Self time by area: where the CPU of a miss goes, inside the traced processes.
area() {
  awk '
    /^#/ || NF < 3 { next }
    { pct = $1; sub(/%/, "", pct); sym = $0; sub(/^[^]]*\] /, "", sym)
      kernel = ($0 ~ /\[k\]/)
      a = kernel ? "kernel (network, scheduling)" \
        : $2 ~ /libclrjit/ ? "JIT compiler" \
        : sym ~ /gc_heap|WKS::|SVR::|GCHeap|gc\.cpp|GCToEE|memset|clr_memset/ ? "garbage collection" \
        : sym ~ /Orleans\.Serialization|Orleans\.Codecs|Codec|Serializer/ ? "Orleans serialization" \
        : sym ~ /Orleans/ ? "Orleans runtime (messaging, scheduling, activation, directory)" \
        : sym ~ /StackExchange\.Redis/ ? "Redis client" \
        : sym ~ /Kestrel|AspNetCore/ ? "HTTP server (Kestrel, ASP.NET Core)" \
        : sym ~ /System\.Net\.Http/ ? "HTTP client (origin fetch)" \
        : sym ~ /System\.Net\.Sockets|System\.IO\.Pipelines/ ? "sockets and pipelines" \
        : sym ~ /OrleansEdge/ ? "OrleansEdge code" \
        : sym ~ /OpenTelemetry|Diagnostics\.Metrics/ ? "metrics" \
        : sym ~ /libcoreclr|libclrjit|Thread|Task|Monitor|Interlocked|JIT_|ExecutionContext/ ? "runtime (threads, tasks, locks, JIT helpers)" \
        : "other"
      share[a] += pct }
    END { for (a in share) printf "%6.1f %%  %s\n", share[a], a }' | sort -rn
}
[ "$PERF" = 1 ] && for p in "${traced[@]}"; do
  n=${names[$p]}
  perf report -i "$state/$n.perf" --no-children --sort dso,symbol --stdio -g none --percent-limit 0 2>/dev/null >"$OUT/$n-self.txt"
  perf report -i "$state/$n.perf" --children --sort symbol --stdio --percent-limit 1 -g none 2>/dev/null >"$OUT/$n-inclusive.txt"
  { echo "## $n: CPU self time by area"; area <"$OUT/$n-self.txt"; echo; } | tee -a "$OUT/summary.md"
  us=$(awk -F'|' -v n="$n" '$2 ~ " "n" " { printf "%.1f", $3 * 1000 }' "$state/per-miss.md")
  { echo "## $n: CPU per miss by component (each sample counted for the component nearest its leaf)"; echo
    perf script -i "$state/$n.perf" 2>/dev/null | python3 bench/miss-stages.py "$us"; echo; } | tee -a "$OUT/summary.md"
done
echo "samples by symbol (self and inclusive) in $OUT"
