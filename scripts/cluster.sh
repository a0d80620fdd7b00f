#!/usr/bin/env bash
# A local OrleansEdge cluster on this machine: its own redis-server, N silos and M gateways (cluster mode,
# Redis clustering and durable records), the demo origin, all on loopback. It stops exactly what it started.
#
#   scripts/cluster.sh start [SILOS=3] [GATEWAYS=2]   build, start, wait until ready, print the endpoints
#   scripts/cluster.sh prometheus                     start Prometheus on 127.0.0.1:9490, scraping exactly what runs
#   scripts/cluster.sh status                         what runs, by PID
#   scripts/cluster.sh stop                           stop every process it started
#   scripts/cluster.sh prometheus-config S G          print the Prometheus configuration for S silos and G gateways
#
# Ports: silo i listens on 11111+i (silo) and 30000+i (clients), metrics on 9464+i; gateway j serves viewers
# on 8080+100*j and its control plane on 8081+100*j; gateway 0 also runs the demo origin on 8090. None of them is
# a port a Debian host's own Prometheus (9090) or node exporter (9100) takes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
state="$root/.state/cluster"
config=${CONFIGURATION:-Debug}

# No build servers left behind: they would outlive this script holding its output open.
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false

pids() { cat "$state"/*.pid 2>/dev/null || true; }

metrics_port() { echo $((9464 + $1)); }
prometheus_port=${PROMETHEUS_PORT:-9490}

# Scrapes exactly the processes start runs, so no target is down by design; the alert rules come from the repository.
prometheus_config() {
  local silos=$1 gateways=$2 targets
  echo "# Written by scripts/cluster.sh for $silos silo(s) and $gateways gateway(s); regenerated on every start."
  echo "global:"
  echo "  scrape_interval: 5s"
  echo "  evaluation_interval: 15s"
  echo "rule_files:"
  echo "  - $root/observability/prometheus/alerts.yml"
  echo "scrape_configs:"
  echo "  - job_name: orleansedge-gateway"
  targets=$(for j in $(seq 0 $((gateways - 1))); do printf '"127.0.0.1:%d", ' $((8081 + 100 * j)); done)
  echo "    static_configs:"
  echo "      - targets: [${targets%, }]"
  echo "  - job_name: orleansedge-silo"
  targets=$(for i in $(seq 0 $((silos - 1))); do printf '"127.0.0.1:%d", ' "$(metrics_port "$i")"; done)
  echo "    static_configs:"
  echo "      - targets: [${targets%, }]"
}

install_missing() {
  local command=$1 package=$2
  command -v "$command" >/dev/null 2>&1 && return 0
  local sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$package" >/dev/null
}

start_prometheus() {
  [ -f "$state/prometheus.yml" ] && [ -n "$(pids)" ] || { echo "no cluster running; scripts/cluster.sh start first" >&2; exit 1; }
  [ -f "$state/prometheus.pid" ] && kill -0 "$(cat "$state/prometheus.pid")" 2>/dev/null && { echo "Prometheus already runs: http://127.0.0.1:$prometheus_port"; return 0; }
  install_missing prometheus prometheus
  # Debian's package also starts its own Prometheus on :9090 and a node exporter on :9100; this one stays clear of both.
  nohup prometheus --config.file="$state/prometheus.yml" --web.listen-address="127.0.0.1:$prometheus_port" \
    --storage.tsdb.path="$state/prometheus" >"$state/prometheus.log" 2>&1 </dev/null &
  echo $! >"$state/prometheus.pid"
  wait_http "http://127.0.0.1:$prometheus_port/-/ready" "Prometheus"
  echo "prometheus http://127.0.0.1:$prometheus_port (pid $(cat "$state/prometheus.pid")), scraping $state/prometheus.yml" | tee -a "$state/endpoints"
}

stop() {
  [ -d "$state" ] || { echo "no cluster running"; return 0; }
  # Gateways first, then silos, then Redis, so nothing logs the loss of what it depends on.
  for name in $(ls "$state" | grep -E '^prometheus\.pid$'; ls "$state" | grep -E '^gateway.*\.pid$'; ls "$state" | grep -E '^silo.*\.pid$'; ls "$state" | grep -E '^redis\.pid$'); do
    pid=$(cat "$state/$name")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    echo "stopped ${name%.pid} (pid $pid)"
    rm -f "$state/$name"
  done
  # What it printed at start describes nothing any more.
  rm -f "$state/endpoints"
}

status() {
  [ -n "$(pids)" ] || { echo "no cluster running"; return 0; }
  for f in "$state"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f"); n=$(basename "$f" .pid)
    if kill -0 "$pid" 2>/dev/null; then echo "$n: running (pid $pid)"; else echo "$n: not running (was pid $pid)"; fi
  done
  [ -f "$state/endpoints" ] && cat "$state/endpoints"
}

wait_http() {
  local url=$1 what=$2
  for _ in $(seq 300); do curl -sf -o /dev/null "$url" && return 0; sleep 0.2; done
  echo "$what did not become ready at $url; logs in $state" >&2
  return 1
}

start() {
  local silos=${1:-3} gateways=${2:-2}
  if [ -n "$(pids)" ]; then echo "a cluster is already running here; scripts/cluster.sh stop first" >&2; exit 1; fi
  mkdir -p "$state"; rm -rf "$state"/*.log "$state/endpoints" "$state"/appendonly*
  install_missing redis-server redis-server

  echo "== build ($config)"
  dotnet build "$root/OrleansEdge.sln" -c "$config" -nologo -clp:ErrorsOnly
  local silo_dll="$root/Silo/bin/$config/net10.0/OrleansEdge.Silo.dll"
  local gateway_dir="$root/Gateway/bin/$config/net10.0"
  trap 'echo "start failed; stopping what started" >&2; stop' ERR

  local redis_port=${REDIS_PORT:-6390}
  # Append-only file: a Redis restart keeps the records, memberships and leases it holds.
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly yes --appendfsync everysec --dir "$state" >"$state/redis.log" 2>&1 </dev/null &
  echo $! >"$state/redis.pid"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  local redis="127.0.0.1:$redis_port"
  local common=(--ConnectionStrings:Redis="$redis" --Edge:Cluster:ClusterId=orleansedge-local --Edge:Cluster:ServiceId=orleansedge-local)

  for i in $(seq 0 $((silos - 1))); do
    nohup dotnet "$silo_dll" "${common[@]}" --Edge:Cluster:SiloPort=$((11111 + i)) --Edge:Cluster:GatewayPort=$((30000 + i)) \
      --Edge:Silo:Listen=http://127.0.0.1:$(metrics_port "$i") >"$state/silo$i.log" 2>&1 </dev/null &
    echo $! >"$state/silo$i.pid"
  done
  for i in $(seq 0 $((silos - 1))); do wait_http "http://127.0.0.1:$(metrics_port "$i")/healthz" "silo $i"; done

  for j in $(seq 0 $((gateways - 1))); do
    local demo=false; [ "$j" -eq 0 ] && demo=true
    # exec: the PID recorded is the gateway's own, not a subshell's (the content root is its build folder).
    (cd "$gateway_dir" && exec nohup dotnet OrleansEdge.Gateway.dll --environment Demo "${common[@]}" --Edge:Demo:Enabled=$demo \
      --Edge:Listen:Viewer=http://127.0.0.1:$((8080 + 100 * j)) --Edge:Listen:Control=http://127.0.0.1:$((8081 + 100 * j)) \
      >"$state/gateway$j.log" 2>&1 </dev/null) &
    echo $! >"$state/gateway$j.pid"
  done
  for j in $(seq 0 $((gateways - 1))); do wait_http "http://127.0.0.1:$((8081 + 100 * j))/readyz" "gateway $j"; done
  trap - ERR
  prometheus_config "$silos" "$gateways" >"$state/prometheus.yml"

  {
    echo "redis      $redis (pid $(cat "$state/redis.pid"))"
    for i in $(seq 0 $((silos - 1))); do
      echo "silo $i     silo 127.0.0.1:$((11111 + i)), clients 127.0.0.1:$((30000 + i)), metrics http://127.0.0.1:$(metrics_port "$i")/metrics (pid $(cat "$state/silo$i.pid"))"
    done
    for j in $(seq 0 $((gateways - 1))); do
      echo "gateway $j  viewers http://127.0.0.1:$((8080 + 100 * j)), control http://127.0.0.1:$((8081 + 100 * j)) (pid $(cat "$state/gateway$j.pid"))"
    done
    echo "origin     http://127.0.0.1:8090 (demo, inside gateway 0)"
    echo "logs       $state"
    echo "metrics    scripts/cluster.sh prometheus starts Prometheus on 127.0.0.1:$prometheus_port with $state/prometheus.yml"
  } | tee "$state/endpoints"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  prometheus) start_prometheus ;;
  prometheus-config) shift; prometheus_config "${1:-3}" "${2:-2}" ;;
  *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
