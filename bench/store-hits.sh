#!/usr/bin/env bash
# Store hits (not a test): what a second gateway pays for objects the first one fetched. The Release cluster (3 silos +
# 2 gateways, Redis) in front of the anchors' nginx origin; gateway 0 fetches N new objects, then gateway 1, whose
# near-cache holds none of them, asks for them in the same order: each lookup goes to the object's home silo, which
# answers from its store. Prints wrk's ANCHOR line of that phase. About 2 minutes.
#   bench/store-hits.sh      knobs: N=60000 DUR=4 CONNS=32 (DUR short enough that gateway 1 stays within the N objects)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
N=${N:-60000}; DUR=${DUR:-4}; CONNS=${CONNS:-32}; state="$root/.state/store-hits"; rm -rf "$state"; mkdir -p "$state"
source bench/anchored-cluster.sh
start_anchored_cluster
run() { wrk -t1 -c"$CONNS" -H "Host: bench.test" -s "$anchors/lua/walk.lua" "$@" 2>&1; }
base=$((RANDOM * 1000 + 70000000))
run -d10s http://127.0.0.1:8080 -- $((base + 5000000)) >/dev/null                    # gateway 0 and the silos warm up
run -d600s http://127.0.0.1:8080 -- "$base" "$N" "$state/fetched" >/dev/null &       # gateway 0 fetches N objects
fetching=$!
while kill -0 $fetching 2>/dev/null && [ ! -e "$state/fetched" ]; do sleep 0.2; done
kill $fetching 2>/dev/null; wait $fetching 2>/dev/null
run -d5s http://127.0.0.1:8180 -- $((base + 9000000)) >/dev/null                      # gateway 1 warms up on misses
echo "store hits through gateway 1, ${DUR}s: $(run -d"${DUR}s" http://127.0.0.1:8180 -- "$base" | grep ANCHOR)" | tee "$state/summary.txt"
