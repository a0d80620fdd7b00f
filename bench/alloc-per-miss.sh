#!/usr/bin/env bash
# What a miss allocates (not a test): the Release cluster (3 silos + 2 gateways, Redis) in front of the anchors' nginx
# origin, wrk asking gateway 0 for a new object every request, and meanwhile an allocation trace (dotnet-trace,
# gc-verbose profile) of gateway 0 and silo 0, summed by type per miss (silo 0 is the home of a third of them) by
# bench/AllocTicks. Results in bench/out/alloc/. About 2 minutes.
#   bench/alloc-per-miss.sh      knobs: TRACE=8 CONNS=32 TOP=25
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd); anchors="$root/../shared/bench/anchors"
TRACE=${TRACE:-8}; CONNS=${CONNS:-32}; TOP=${TOP:-25}; out="$root/bench/out/alloc"
state="$root/.state/alloc"; rm -rf "$state" "$out"; mkdir -p "$state" "$out"
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-trace >/dev/null || dotnet tool install -g dotnet-trace >/dev/null
cleanup() { [ -f "$state/origin.pid" ] && kill "$(cat "$state/origin.pid")" 2>/dev/null; CONFIGURATION=Release scripts/cluster.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
dotnet build bench/AllocTicks -c Release -nologo -clp:ErrorsOnly >/dev/null || exit 1
sed -e "s|@STATE@|$state|g" -e "s|@WORKERS@|1|" -e "s|@PAD@|$(head -c 1000 /dev/zero | tr '\0' x)|" \
    -e "s|listen 127.0.0.1:8080|listen 127.0.0.1:9190|" "$anchors/origin.conf.in" >"$state/origin.conf"
nginx -c "$state/origin.conf" -g 'daemon on;' || exit 1
env Edge__Distributions__E1B__Origin=http://127.0.0.1:9190 Edge__Distributions__E1B__Domains__0=bench.test \
  Logging__LogLevel__Default=Warning CONFIGURATION=Release scripts/cluster.sh start 3 2 >"$state/cluster.log" 2>&1 || { tail "$state/cluster.log"; exit 1; }
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
