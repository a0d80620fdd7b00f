#!/usr/bin/env bash
# OrleansEdge benchmark (not a test): a local cluster (3 silos, 2 gateways, Release build) under wrk load on
# loopback, beside the anchors' bare Kestrel serving the same 1 KiB bytes, measured in one run.
#
# Reports: near-cache hit throughput and p50/p99 latency against bare Kestrel and Varnish + xkey (the anchors'
# VCL, in front of the same demo origin), in steady state (10 s of warm-up each, so the JIT has tiered up);
# then, for tags covering 1, 1,000 and 100,000 objects while a second gateway serves hits, the propagation
# time (the invalidation's record: accepted -> last gateway applied) and the purge request's own time (HTTP
# request in -> answer out), beside one Varnish's xkey purge of 1,000 objects under the same load.
# Then bench/mix.sh: the per-object cost (misses, 90/10 and 99/1 mixes, memory per object) of Varnish, the embedded
# edge and the cluster, side by side (MIX=0 skips it). Everything it starts it stops. About 17 minutes.
#   bench/run.sh            knobs: DUR=10 CONNS=64 SMALL=20 MEDIUM=20 LARGE=1 MIX=1 OUT=bench/out
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
DUR=${DUR:-10}; CONNS=${CONNS:-64}; SMALL=${SMALL:-20}; MEDIUM=${MEDIUM:-20}; LARGE=${LARGE:-1}
OUT=${OUT:-$root/bench/out}; state="$root/.state/bench"; mkdir -p "$OUT" "$state"
anchors="$root/../shared/bench/anchors"
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v varnishd >/dev/null || need+=(varnish)
dpkg -s varnish-modules >/dev/null 2>&1 || need+=(varnish-modules)
if ((${#need[@]})); then
  # Keep apt from starting the distribution's own varnish service.
  made_policy=""; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

kestrel_pid=""; load_pid=""
cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  [ -n "$kestrel_pid" ] && kill "$kestrel_pid" 2>/dev/null || true
  [ -f "$state/varnish.pid" ] && kill "$(cat "$state/varnish.pid")" 2>/dev/null || true
  rm -f "$state/varnish.pid"
  CONFIGURATION=Release scripts/cluster.sh stop >/dev/null || true
}
trap cleanup EXIT

# The anchor is built from shared/ in a state folder (shared/ is read-only); nothing of it is committed here.
rm -rf "$state/kestrel-src" && mkdir -p "$state/kestrel-src"
cp "$anchors/kestrel/AnchorKestrel.csproj" "$anchors/kestrel/Program.cs" "$state/kestrel-src/"
(cd "$state/kestrel-src" && dotnet build -c Release -nologo -clp:ErrorsOnly -o "$state/kestrel-bin" >/dev/null)
dotnet "$state/kestrel-bin/AnchorKestrel.dll" --urls http://127.0.0.1:5000 --mode dict --objects 1000 >"$state/kestrel.log" 2>&1 &
kestrel_pid=$!

CONFIGURATION=Release scripts/cluster.sh start 3 2 | tail -8
gw0=http://127.0.0.1:8080; gw1=http://127.0.0.1:8180; control=http://127.0.0.1:8081
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:5000/p/1 && break; sleep 0.2; done

# Varnish with the anchors' VCL (xkey from the origin's tag header), in front of the demo origin (port 8090).
varnish=http://127.0.0.1:6081
sed 's/\.port = "8080";/.port = "8090";/' "$anchors/varnish.vcl" >"$state/varnish.vcl"
rm -rf "$state/vwork"
varnishd -a 127.0.0.1:6081 -T 127.0.0.1:6082 -n "$state/vwork" -f "$state/varnish.vcl" -s malloc,1G -P "$state/varnish.pid" >"$state/varnishd.log" 2>&1
for _ in $(seq 100); do curl -sf -o /dev/null "$varnish/" && break; sleep 0.2; done

hits() { # label url -> "req/s p50 p99"
  wrk -t2 -c"$CONNS" -d10s "$2" >/dev/null
  wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "$2" >"$OUT/wrk-$1.txt"
  awk '/Requests\/sec/{r=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} END{print r, p50, p99}' "$OUT/wrk-$1.txt"
}
hot="/bench/hot?tags=hot&size=1024"
curl -s -o /dev/null "$gw0$hot"; curl -s -o /dev/null "$gw0$hot"
read -r edge_rps edge_p50 edge_p99 < <(hits edge "$gw0$hot")
read -r kestrel_rps kestrel_p50 kestrel_p99 < <(hits kestrel "http://127.0.0.1:5000/p/1")
curl -s -o /dev/null "$varnish$hot"
read -r varnish_rps varnish_p50 varnish_p99 < <(hits varnish "$varnish$hot")

warm() { # group count [base]: /bench/<group>-<i>?tags=<group>,<group>-<i> for i < count, 64 at a time, once each
  awk -v n="$2" -v g="$1" -v base="${3:-$gw0}" 'BEGIN { for (i = 0; i < n; i++) printf "url = \"%s/bench/%s-%d?tags=%s,%s-%d&size=1024\"\noutput = \"/dev/null\"\n", base, g, i, g, g, i }' >"$state/warm.curl"
  curl -s --no-progress-meter --parallel --parallel-max 64 -K "$state/warm.curl"
}
purge() { # tag -> "propagationMs elapsedMs invalidated"
  curl -s -X POST "$control/purge/E1DEMO" -H 'Authorization: Bearer demo-purge-token' -d "{\"tags\":[\"$1\"]}" |
    sed -E 's/.*"invalidated":([0-9]+),"elapsedMs":([0-9.]+),"propagationMs":([0-9.]+).*/\3 \2 \1/'; echo
}
stats() { # file -> "p50 p95 max" (ms)
  sort -n "$1" | awk '{v[NR]=$1} END{i50=int((NR+1)/2); i95=int(NR*0.95+0.999); if(i95<1)i95=1; printf "%.1f %.1f %.1f\n", v[i50], v[i95], v[NR]}'
}

# Viewer load on the other gateway for the whole propagation phase (bounded by its own duration).
wrk -t1 -c32 -d900s "$gw1$hot" >"$OUT/wrk-background.txt" 2>&1 &
load_pid=$!

rm -f "$OUT"/propagation-*.txt
record() { # n: keeps the purge answer's figures for a tag on n objects
  awk 'NF==3' | tee -a "$OUT/propagation-$1-raw.txt" | awk '{print $1 >> out1; print $2 >> out2}' \
    out1="$OUT/propagation-$1.txt" out2="$OUT/propagation-$1-request.txt"
}
# Warm-up, not recorded: the first invalidations run code the JIT has not yet compiled, as the hit phase's first seconds do.
warm warmup 1000
for i in $(seq 0 9); do purge "warmup-$i" >/dev/null; done
purge warmup >/dev/null

# Each warm is followed by a second of settling: what is measured is an invalidation under viewer load, not
# one racing the tail of the misses that set it up.
warm small "$SMALL"; sleep 1
for i in $(seq 0 $((SMALL - 1))); do purge "small-$i" | record 1; done
for g in $(seq 1 "$MEDIUM"); do
  warm "thousand$g" 1000; sleep 1
  purge "thousand$g" | record 1000
done
# The same 1,000-object tags on one Varnish, purged with xkey: no cluster, no gateways to tell.
for g in $(seq 1 "$MEDIUM"); do
  warm "vthousand$g" 1000 "$varnish"; sleep 1
  curl -s -o /dev/null -w '%{time_total}\n' -X PURGE -H "xkey-purge: vthousand$g" "$varnish/" | awk '{printf "%.3f\n", $1 * 1000}' >>"$OUT/propagation-varnish-1000.txt"
done
rss_kib() { # resident memory of every silo and gateway of the cluster, KiB
  for f in .state/cluster/silo*.pid .state/cluster/gateway*.pid; do awk '/^VmRSS/{print $2}' "/proc/$(cat "$f")/status"; done | awk '{s+=$1} END{print s}'
}
rm -f "$OUT/memory.txt"
for g in $(seq 1 "$LARGE"); do
  started=$(date +%s); rss_before=$(rss_kib)
  warm "large$g" 100000
  echo "warmed 100,000 objects in $(( $(date +%s) - started )) s"; sleep 1
  echo "$rss_before $(rss_kib)" >>"$OUT/memory.txt"
  purge "large$g" | record 100000
done
kill "$load_pid" 2>/dev/null || true; load_pid=""

{
  echo "# OrleansEdge bench ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, 3 silos + 2 gateways + demo origin + wrk on one machine)"
  echo
  echo "| hit path (1 KiB, wrk -t2 -c$CONNS, ${DUR}s, cores shared) | req/s | p50 | p99 |"
  echo "|---|---|---|---|"
  echo "| OrleansEdge gateway near-cache hit | $edge_rps | $edge_p50 | $edge_p99 |"
  echo "| bare Kestrel, dictionary hit (anchors) | $kestrel_rps | $kestrel_p50 | $kestrel_p99 |"
  echo "| Varnish 7.1 + xkey hit (anchors' VCL) | $varnish_rps | $varnish_p50 | $varnish_p99 |"
  echo "| ratio OrleansEdge / Kestrel | $(awk -v a="$edge_rps" -v b="$kestrel_rps" 'BEGIN{printf "%.2f", a/b}') | | |"
  echo "| ratio OrleansEdge / Varnish | $(awk -v a="$edge_rps" -v b="$varnish_rps" 'BEGIN{printf "%.2f", a/b}') | | |"
  echo
  echo "| under viewer load, ms | samples | propagation p50 | p95 | max | purge request p50 | p95 | max | objects invalidated |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for n in 1 1000 100000; do
    [ -s "$OUT/propagation-$n.txt" ] || continue
    read -r p50 p95 max < <(stats "$OUT/propagation-$n.txt")
    read -r r50 r95 rmax < <(stats "$OUT/propagation-$n-request.txt")
    objects=$(awk '{print $3}' "$OUT/propagation-$n-raw.txt" | sort -u | tr '\n' ' ')
    echo "| tag on $n object(s) | $(grep -c . "$OUT/propagation-$n.txt") | $p50 | $p95 | $max | $r50 | $r95 | $rmax | $objects |"
  done
  if [ -s "$OUT/propagation-varnish-1000.txt" ]; then
    read -r v50 v95 vmax < <(stats "$OUT/propagation-varnish-1000.txt")
    echo "| one Varnish, xkey purge of a tag on 1000 objects (request time) | $(grep -c . "$OUT/propagation-varnish-1000.txt") | | | | $v50 | $v95 | $vmax | |"
  fi
  if [ -s "$OUT/memory.txt" ]; then
    read -r before after < "$OUT/memory.txt"
    echo
    echo "Memory: warming 100,000 objects (1 KiB bodies, 2 tags each) grew the silos' and gateways' resident memory from $((before / 1024)) to $((after / 1024)) MiB, $(( (after - before) * 1024 / 100000 )) bytes per object (a copy in its silo's store with its tag memberships, and a copy in the gateway that served it; an upper bound, collections pending)."
  fi
} | tee "$OUT/results.md"

if [ "${MIX:-1}" = 1 ]; then
  cleanup; trap - EXIT
  OUT="$OUT" bash bench/mix.sh
fi
