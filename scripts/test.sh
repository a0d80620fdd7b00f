#!/usr/bin/env bash
# Runs every OrleansEdge test on a fresh machine: installs what the tests need (Debian's redis-server, awscli,
# prometheus, docker-compose, systemd's tools and chromium for the console's browser tests), starts a private Redis on a free loopback port, builds once,
# publishes the programs, tests without rebuilding, stops what it started, and ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

# No build servers left behind: they would outlive this script holding its output (and CI's) open.
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false

state=$(mktemp -d -t orleansedge-test.XXXXXX)
redis_pid=""
cleanup() {
  if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$state"
}
trap cleanup EXIT

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/bin/aws ] || need+=(awscli)
[ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] || need+=(prometheus)
# The deployment files are checked by the tools that read them: docker-compose and systemd-analyze.
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# The console is tested in a real browser: Playwright drives Debian's chromium (it cannot download one here).
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --dir "$state" >"$state/redis.log" 2>&1 </dev/null &
redis_pid=$!
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
export ORLEANSEDGE_TEST_REDIS="127.0.0.1:$redis_port"
export ORLEANSEDGE_TEST_AWS=/usr/bin/aws
echo "== redis on $ORLEANSEDGE_TEST_REDIS (pid $redis_pid), aws: $($ORLEANSEDGE_TEST_AWS --version 2>&1)"

echo "== build"
dotnet build OrleansEdge.sln -nologo -clp:ErrorsOnly

# The published programs, as the README's multi-host lines and the deployment files run them (a test starts them).
echo "== publish"
for program in Silo Gateway; do dotnet publish "$program" -p:PublishProfile=linux -nologo -clp:ErrorsOnly; done

echo "== test"
status=0
dotnet test OrleansEdge.sln --no-build -nologo 2>&1 | tee "$state/test.log" || status=$?

passed=$(grep -hoE 'Passed: +[0-9]+' "$state/test.log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -hoE 'Failed: +[0-9]+' "$state/test.log" | awk '{s+=$2} END {print s+0}')
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
