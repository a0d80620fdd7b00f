#!/usr/bin/env bash
# Where a miss goes (not a test): the Release cluster (3 silos + 2 gateways, Redis) in front of the anchors' nginx
# origin, wrk asking gateway 0 for a new object every request, and meanwhile, per process: CPU time (from /proc),
# garbage collections and GC pause time (from each process's /metrics), and a CPU-sampling trace (dotnet-trace)
# of gateway 0 and of silo 0, reported as the top frames. Results in bench/out/profile/. About 3 minutes.
#   bench/profile-miss.sh      knobs: DUR=30 CONNS=32 TRACE=15 OUT=bench/out/profile  (EMBEDDED=1: one process instead)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd); anchors="$root/../shared/bench/anchors"
DUR=${DUR:-30}; CONNS=${CONNS:-32}; TRACE=${TRACE:-15}; OUT=${OUT:-$root/bench/out/profile}
state="$root/.state/profile"; rm -rf "$state" "$OUT"; mkdir -p "$state" "$OUT"
origin_port=9190; export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-trace >/dev/null || dotnet tool install -g dotnet-trace >/dev/null
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
  for i in 0 1 2; do p=$(cat .state/cluster/silo$i.pid); names[$p]=silo$i; metrics[$p]=http://127.0.0.1:$((9100 + i))/metrics; done
  for j in 0 1; do p=$(cat .state/cluster/gateway$j.pid); names[$p]=gateway$j; metrics[$p]=http://127.0.0.1:$((8081 + 100 * j))/metrics; done
  traced=("$(cat .state/cluster/gateway0.pid)" "$(cat .state/cluster/silo0.pid)")
fi

cpu_ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
gc() { # pid -> "gen0 gen1 gen2 pause_s"
  curl -s "${metrics[$1]}" | awk '
    /^dotnet_gc_collections_total/ { if ($0 ~ /gen0/) g0 += $NF; else if ($0 ~ /gen1/) g1 += $NF; else if ($0 ~ /gen2/) g2 += $NF }
    /^dotnet_gc_pause_time_seconds_total/ { p += $NF }
    END { printf "%d %d %d %.4f\n", g0, g1, g2, p }'
}

# Warm: 10 s of misses so the JIT has tiered up; then measure.
wrk -t1 -c"$CONNS" -d10s -H "Host: bench.test" -s "$anchors/lua/walk.lua" http://127.0.0.1:8080 -- 50000000 >/dev/null 2>&1; sleep 2
declare -A cpu0 gc0
for p in "${!names[@]}"; do cpu0[$p]=$(cpu_ms "$p"); gc0[$p]=$(gc "$p"); done
wrk -t1 -c"$CONNS" -d"${DUR}s" -H "Host: bench.test" -s "$anchors/lua/walk.lua" http://127.0.0.1:8080 -- 60000000 >"$OUT/wrk.txt" 2>&1 &
wrk_pid=$!
sleep 5
for p in "${traced[@]}"; do
  dotnet-trace collect -p "$p" --profile cpu-sampling --duration "00:00:$(printf %02d "$TRACE")" -o "$OUT/${names[$p]}.nettrace" >"$state/trace-${names[$p]}.log" 2>&1 &
done
wait "$wrk_pid"; sleep 1; wait
requests=$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")
{
  echo "misses: $requests in ${DUR}s ($(awk -v r="$requests" -v d="$DUR" 'BEGIN{printf "%.0f", r/d}') req/s), wrk -t1 -c$CONNS; first ${TRACE}s after 5s traced (costs some throughput)"
  echo
  echo "| process | CPU ms per miss | gen0 / gen1 / gen2 per 10,000 misses | GC pause ms per 10,000 misses |"
  echo "|---|---|---|---|"
  for p in $(for q in "${!names[@]}"; do echo "${names[$q]} $q"; done | sort | awk '{print $2}'); do
    read -r a0 a1 a2 ap <<<"${gc0[$p]}"; read -r b0 b1 b2 bp <<<"$(gc "$p")"
    awk -v n="${names[$p]}" -v c0="${cpu0[$p]}" -v c1="$(cpu_ms "$p")" -v r="$requests" -v g0=$((b0 - a0)) -v g1=$((b1 - a1)) -v g2=$((b2 - a2)) -v pa="$ap" -v pb="$bp" \
      'BEGIN{ k = 10000 / r; printf "| %s | %.3f | %.1f / %.1f / %.1f | %.1f |\n", n, (c1 - c0) / r, g0 * k, g1 * k, g2 * k, (pb - pa) * 1000 * k }'
  done
} | tee "$OUT/summary.md"
for p in "${traced[@]}"; do
  dotnet-trace report "$OUT/${names[$p]}.nettrace" topN -n 40 --inclusive >"$OUT/${names[$p]}-inclusive.txt" 2>&1
  dotnet-trace report "$OUT/${names[$p]}.nettrace" topN -n 40 >"$OUT/${names[$p]}-exclusive.txt" 2>&1
done
echo "traces and top frames in $OUT"
