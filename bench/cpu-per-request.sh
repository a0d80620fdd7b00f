#!/usr/bin/env bash
# CPU per request, by process, in each phase of the shared mix bench (not a test): the Release cluster (3 silos +
# 2 gateways, Redis) in front of the anchors' nginx origin, wrk on gateway 0 as ../shared/bench/mix/run.sh drives it
# (90/10 and 99/1 mixes over a warmed hot set of 1,000, then every request a new object), and each process's CPU time
# (from /proc) and voluntary context switches divided by the requests served. Shows where a mix's time goes, which a
# pure miss phase does not: a silo's cost per miss grows when misses come slower and batch less. About 2 minutes.
#   bench/cpu-per-request.sh      knobs: DUR=10 CONNS=32
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd); mix="$root/../shared/bench/mix/mix.lua"
DUR=${DUR:-10}; CONNS=${CONNS:-32}; state="$root/.state/cpu"; rm -rf "$state"; mkdir -p "$state"
source bench/anchored-cluster.sh
start_anchored_cluster
declare -A names
for i in 0 1 2; do names[$(cat .state/cluster/silo$i.pid)]=silo$i; done
for j in 0 1; do names[$(cat .state/cluster/gateway$j.pid)]=gateway$j; done
for _ in $(seq 50); do [ -f "$state/origin.pid" ] && break; sleep 0.1; done
names[$(pgrep -P "$(cat "$state/origin.pid")" | head -1)]=origin
order=$(for p in "${!names[@]}"; do echo "${names[$p]} $p"; done | sort | awk '{print $2}')
cpu_ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s}'; }
run() { wrk -t1 -c"$CONNS" -d"${DUR}s" -H "Host: bench.test" -s "$@" 2>&1; }
base=$((RANDOM * 1000 + 200000000))
run "$anchors/lua/walk.lua" http://127.0.0.1:8080 -- "$base" >/dev/null          # the JIT warms up on misses
run "$anchors/lua/walk.lua" http://127.0.0.1:8080 -- 0 1000 "$state/warmed" >/dev/null   # the hot set
phase() { # name lua args...
  local name=$1; shift
  declare -A c0 s0
  for p in $order; do c0[$p]=$(cpu_ms "$p"); s0[$p]=$(switches "$p"); done
  local out; out=$(run "$@" | grep ANCHOR)
  local rps; rps=$(sed 's/.*rps=\([0-9.]*\).*/\1/' <<<"$out")
  echo "| $name | $(sed 's/.*rps=\([0-9.]*\).*/\1/' <<<"$out") |$(for p in $order; do
    awk -v c0="${c0[$p]}" -v c1="$(cpu_ms "$p")" -v s0="${s0[$p]}" -v s1="$(switches "$p")" -v r="$rps" -v d="$DUR" \
      'BEGIN { printf " %.1f (%.2f) |", (c1 - c0) * 1000 / (r * d), (s1 - s0) / (r * d) }'; done)"
}
{
  echo "CPU µs per request (voluntary context switches per request), wrk -t1 -c$CONNS, ${DUR}s per phase, gateway 0 serving"
  echo
  echo "| phase | req/s |$(for p in $order; do printf " %s |" "${names[$p]}"; done)"
  echo "|---|---|$(for p in $order; do printf -- "---|"; done)"
  phase "90/10 mix" "$mix" http://127.0.0.1:8080 -- $((base + 20000000)) 10 1000
  phase "99/1 mix" "$mix" http://127.0.0.1:8080 -- $((base + 30000000)) 100 1000
  phase "every request new" "$anchors/lua/walk.lua" http://127.0.0.1:8080 -- $((base + 40000000))
} | tee "$state/summary.md"
