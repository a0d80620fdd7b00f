# Sourced by the cluster benches (cpu-per-request.sh, alloc-per-miss.sh, store-hits.sh), from the repository's root
# with $state set to their own folder: starts the anchors' nginx origin (1 KiB tagged objects at /p/{id}, one worker)
# on 127.0.0.1:9190 and the Release cluster (3 silos + 2 gateways, Redis) in front of it as distribution E1B for
# Host bench.test, and stops both when the bench exits, however it exits.
anchors="$(pwd)/../shared/bench/anchors"
origin_port=9190
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false
stop_anchored_cluster() {
  [ -f "$state/origin.pid" ] && kill "$(cat "$state/origin.pid")" 2>/dev/null
  CONFIGURATION=Release scripts/cluster.sh stop >/dev/null 2>&1 || true
}
trap stop_anchored_cluster EXIT
start_anchored_cluster() {
  sed -e "s|@STATE@|$state|g" -e "s|@WORKERS@|1|" -e "s|@PAD@|$(head -c 1000 /dev/zero | tr '\0' x)|" \
      -e "s|listen 127.0.0.1:8080|listen 127.0.0.1:$origin_port|" "$anchors/origin.conf.in" >"$state/origin.conf"
  nginx -c "$state/origin.conf" -g 'daemon on;' || exit 1
  env Edge__Distributions__E1B__Origin=http://127.0.0.1:$origin_port Edge__Distributions__E1B__Domains__0=bench.test \
    Logging__LogLevel__Default=Warning CONFIGURATION=Release scripts/cluster.sh start 3 2 >"$state/cluster.log" 2>&1 \
    || { tail "$state/cluster.log"; exit 1; }
}
