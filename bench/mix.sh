#!/usr/bin/env bash
# Per-object cost, side by side in one run (not a test): Varnish + xkey, OrleansEdge embedded (one process) and
# the OrleansEdge cluster (3 silos + 2 gateways, Redis), each in front of the same origin (the anchors' nginx:
# ~1 KiB objects at /p/{id}, three tags each), one after the other, cores shared, wrk -t1.
# Phases per system: miss (every request a new object), mix90 and mix99 (a warmed hot set of 1,000 plus 10 % or
# 1 % new objects), memory (resident memory of every process of the system before and after warming N objects).
# .NET systems get 10 s of misses first, so the JIT has tiered up. Everything it starts, it stops. About 10 minutes.
#   bench/mix.sh     knobs: DUR=10 CONNS=32 N=50000 SYSTEMS="varnish embedded cluster" OUT=bench/out
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd); anchors="$root/../shared/bench/anchors"; lua="$root/bench/lua"
DUR=${DUR:-10}; CONNS=${CONNS:-32}; N=${N:-50000}; SYSTEMS=${SYSTEMS:-"varnish embedded cluster"}
OUT=${OUT:-$root/bench/out}; state="$root/.state/mix"; rm -rf "$state"; mkdir -p "$OUT" "$state"
origin_port=9190; varnish=127.0.0.1:6091; embedded=127.0.0.1:18280; gateway0=127.0.0.1:8080
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false

need=(); command -v wrk >/dev/null || need+=(wrk); command -v nginx >/dev/null || need+=(nginx-light)
[ -e /usr/lib/nginx/modules/ngx_http_echo_module.so ] || need+=(libnginx-mod-http-echo)
command -v varnishd >/dev/null || need+=(varnish); dpkg -s varnish-modules >/dev/null 2>&1 || need+=(varnish-modules)
command -v redis-server >/dev/null || need+=(redis-server)
if ((${#need[@]})); then
  # Keep apt from starting the distribution's own nginx and varnish services.
  made_policy=""; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

embedded_pid=""
cleanup() {
  [ -n "$embedded_pid" ] && kill "$embedded_pid" 2>/dev/null
  [ -f "$state/origin.pid" ] && kill "$(cat "$state/origin.pid")" 2>/dev/null
  [ -f "$state/varnish.pid" ] && kill "$(cat "$state/varnish.pid")" 2>/dev/null
  CONFIGURATION=Release scripts/cluster.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

rss_kib() { local total=0 pid; for pid in "$@"; do total=$((total + $(awk '/^VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0))); done; echo "$total"; }
run_wrk() { # label url script args... -> "rps p50_us p99_us"
  local label=$1 url=$2 script=$3; shift 3
  wrk -t1 -c"$CONNS" -d"${DUR}s" -H "Host: bench.test" -s "$script" "$url" -- "$@" >"$OUT/mix-$label.txt" 2>&1
  sed -nE 's/^(RESULT|ANCHOR) rps=([0-9.]+) p50_us=([0-9]+) p99_us=([0-9]+).*/\2 \3 \4/p' "$OUT/mix-$label.txt"
}
warm() { # url base count: every id once, then wrk is stopped
  local done_file="$state/warmed.$RANDOM"
  wrk -t1 -c"$CONNS" -d600s -H "Host: bench.test" -s "$anchors/lua/walk.lua" "$1" -- "$2" "$3" "$done_file" >/dev/null 2>&1 &
  local w=$!
  while kill -0 "$w" 2>/dev/null && [ ! -e "$done_file" ]; do sleep 0.2; done
  kill "$w" 2>/dev/null; wait "$w" 2>/dev/null
}

# The origin: the anchors' nginx, one worker.
sed -e "s|@STATE@|$state|g" -e "s|@WORKERS@|1|" -e "s|@PAD@|$(head -c 1000 /dev/zero | tr '\0' x)|" \
    -e "s|listen 127.0.0.1:8080|listen 127.0.0.1:$origin_port|" "$anchors/origin.conf.in" >"$state/origin.conf"
nginx -c "$state/origin.conf" -g 'daemon on;' || { echo "the origin did not start" >&2; exit 1; }
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$origin_port/p/1" && break; sleep 0.1; done

results="$state/rows.txt"; : >"$results"
phases() { # system url pids...
  local system=$1 url=$2; shift 2
  local base=$((RANDOM * 1000 + 10000000))
  if [ "$system" != varnish ]; then wrk -t1 -c"$CONNS" -d10s -H "Host: bench.test" -s "$anchors/lua/walk.lua" "$url" -- $((base + 5000000)) >/dev/null 2>&1; sleep 2; fi
  read -r miss_rps miss_p50 miss_p99 < <(run_wrk "$system-miss" "$url" "$anchors/lua/walk.lua" "$base")
  warm "$url" 0 1000; sleep 1
  read -r m90_rps m90_p50 m90_p99 < <(run_wrk "$system-mix90" "$url" "$lua/mix.lua" $((base + 2000000)) 10 1000)
  read -r m99_rps m99_p50 m99_p99 < <(run_wrk "$system-mix99" "$url" "$lua/mix.lua" $((base + 3000000)) 100 1000)
  sleep 3; local before; before=$(rss_kib "$@")
  warm "$url" $((base + 7000000)) "$N"; sleep 5
  local after; after=$(rss_kib "$@")
  echo "$system $miss_rps $miss_p50 $miss_p99 $m90_rps $m90_p99 $m99_rps $m99_p99 $(( (after - before) * 1024 / N ))" | tee -a "$results"
}

for system in $SYSTEMS; do
  case $system in
  varnish)
    sed "s/\.port = \"8080\";/.port = \"$origin_port\";/" "$anchors/varnish.vcl" >"$state/varnish.vcl"
    varnishd -a "$varnish" -T 127.0.0.1:6092 -n "$state/vwork" -f "$state/varnish.vcl" -s malloc,2G -P "$state/varnish.pid" >"$state/varnishd.log" 2>&1
    for _ in $(seq 50); do curl -sf -o /dev/null "http://$varnish/p/1" && break; sleep 0.2; done
    phases varnish "http://$varnish" "$(pgrep -P "$(cat "$state/varnish.pid")" | head -1)"
    kill "$(cat "$state/varnish.pid")"; rm -f "$state/varnish.pid" ;;
  embedded)
    dotnet build "$root/Gateway" -c Release -nologo -clp:ErrorsOnly >/dev/null
    (cd "$root/Gateway/bin/Release/net10.0" && exec env -u ConnectionStrings__Redis Edge__Listen__Viewer=http://$embedded \
       Edge__Listen__Control=http://127.0.0.1:18281 Edge__Distributions__E1B__Origin=http://127.0.0.1:$origin_port \
       Edge__Distributions__E1B__Domains__0=bench.test Logging__LogLevel__Default=Warning dotnet OrleansEdge.Gateway.dll >"$state/embedded.log" 2>&1) &
    embedded_pid=$!
    for _ in $(seq 300); do curl -sf -o /dev/null -H "Host: bench.test" "http://$embedded/p/1" && break; sleep 0.2; done
    phases embedded "http://$embedded" "$embedded_pid"
    kill "$embedded_pid"; wait "$embedded_pid" 2>/dev/null; embedded_pid="" ;;
  cluster)
    env Edge__Distributions__E1B__Origin=http://127.0.0.1:$origin_port Edge__Distributions__E1B__Domains__0=bench.test \
      Logging__LogLevel__Default=Warning CONFIGURATION=Release scripts/cluster.sh start 3 2 >"$state/cluster.log" 2>&1 || { tail "$state/cluster.log"; continue; }
    # shellcheck disable=SC2046
    phases cluster "http://$gateway0" $(cat .state/cluster/silo*.pid .state/cluster/gateway*.pid)
    CONFIGURATION=Release scripts/cluster.sh stop >/dev/null 2>&1 ;;
  esac
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else printf "-" }'; }
read -r _ v_miss _ _ v_m90 v_m90p99 v_m99 v_m99p99 v_mem < <(grep '^varnish ' "$results" || echo "varnish 0 0 0 0 0 0 0 0")
{
  echo "# Per-object cost ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores shared, wrk -t1 -c$CONNS, ${DUR}s, one nginx origin, 1 KiB objects with 3 tags)"
  echo
  echo "| system | miss req/s (×Varnish) | miss p50 / p99 ms | mix90 req/s (×) | mix90 p99 ms | mix99 req/s (×) | mix99 p99 ms | memory per object, B |"
  echo "|---|---|---|---|---|---|---|---|"
  while read -r system miss p50 p99 m90 m90p99 m99 m99p99 mem; do
    echo "| $system | $miss ($(ratio "$miss" "$v_miss")) | $(awk -v a="$p50" -v b="$p99" 'BEGIN{printf "%.1f / %.1f", a/1000, b/1000}') | $m90 ($(ratio "$m90" "$v_m90")) | $(awk -v a="$m90p99" 'BEGIN{printf "%.1f", a/1000}') | $m99 ($(ratio "$m99" "$v_m99")) | $(awk -v a="$m99p99" 'BEGIN{printf "%.1f", a/1000}') | $mem |"
  done <"$results"
} | tee "$OUT/mix-results.md"
