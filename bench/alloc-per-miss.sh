#!/usr/bin/env bash
# What a miss allocates (not a test): the Release cluster (3 silos + 2 gateways, Redis) in front of the anchors' nginx
# origin, wrk asking gateway 0 for a new object every request, and meanwhile an allocation trace (dotnet-trace,
# gc-verbose profile) of gateway 0 and silo 0, summed by type per miss (silo 0 is the home of a third of them) by
# bench/AllocTicks. Results in bench/out/alloc/. About 2 minutes.
#   bench/alloc-per-miss.sh      knobs: TRACE=8 CONNS=32 TOP=25
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
TRACE=${TRACE:-8}; CONNS=${CONNS:-32}; TOP=${TOP:-25}; out="$root/bench/out/alloc"
state="$root/.state/alloc"; rm -rf "$state" "$out"; mkdir -p "$state" "$out"
source bench/anchored-cluster.sh
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-trace >/dev/null || dotnet tool install -g dotnet-trace >/dev/null
dotnet build bench/AllocTicks -c Release -nologo -clp:ErrorsOnly >/dev/null || exit 1
start_anchored_cluster
silo=$(cat .state/cluster/silo0.pid); gateway=$(cat .state/cluster/gateway0.pid)
base=$((RANDOM * 1000 + 300000000))
# Warm: 10 s of misses so the JIT has tiered up; then trace the middle of a longer run.
wrk -t1 -c"$CONNS" -d10s -H "Host: bench.test" -s "$anchors/lua/walk.lua" http://127.0.0.1:8080 -- "$base" >/dev/null 2>&1
wrk -t1 -c"$CONNS" -d$((TRACE + 6))s -H "Host: bench.test" -s "$anchors/lua/walk.lua" http://127.0.0.1:8080 -- $((base + 5000000)) >"$out/wrk.txt" 2>&1 &
wrk_pid=$!
sleep 2
for p in "$silo" "$gateway"; do
  dotnet-trace collect -p "$p" --profile gc-verbose --duration "00:00:00:$(printf %02d "$TRACE")" -o "$state/$p.nettrace" >/dev/null 2>&1 &
done
wait
rps=$(sed -n 's/.*rps=\([0-9.]*\).*/\1/p' "$out/wrk.txt")
misses=$(awk -v r="$rps" -v t="$TRACE" 'BEGIN {printf "%.0f", r * t}')
ticks="dotnet bench/AllocTicks/bin/Release/net10.0/OrleansEdge.Bench.AllocTicks.dll"
{
  echo "misses: $rps req/s, ${TRACE}s traced, ~$misses misses in the trace"
  echo; echo "## silo 0, per miss of its own (a third of them)"
  $ticks "$state/$silo.nettrace" $((misses / 3)) "$TOP"
  echo; echo "## gateway 0, per miss"
  $ticks "$state/$gateway.nettrace" "$misses" "$TOP"
} | tee "$out/summary.txt"
