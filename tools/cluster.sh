#!/usr/bin/env bash
# A ProductOps cluster on loopback over PostgreSQL, for tests, demos and benchmarks.
#
#   tools/cluster.sh up [N]    PostgreSQL (installed if missing, started), migrations, N silos
#                              (default 3) and one gateway: gRPC 127.0.0.1:5100, HTTP
#                              127.0.0.1:5180, the all-in-one's dev tenant and keys. Returns once
#                              the gateway answers /healthz.
#   tools/cluster.sh add-silo  starts one more silo
#   tools/cluster.sh down      stops everything gracefully (SIGTERM, then SIGKILL after 60 s)
#
# Each process writes its pid to .cluster/<name>.pid and its log to .cluster/<name>.log
# (silo-1, silo-2, ..., gateway-1). Silo n: Orleans silo port 11210+n, gateway port 30210+n,
# /healthz on 127.0.0.1:5280+n. The database is "productops" with a DEV-ONLY password (see
# tools/postgres.sh); set ProductOps__Postgres__ConnectionString to use another server.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir="$root/.cluster"
configuration=Release
silo_dll="$root/silo/ProductOps.Silo/bin/$configuration/net10.0/ProductOps.Silo.dll"
gateway_dll="$root/gateway/ProductOps.Gateway.Host/bin/$configuration/net10.0/ProductOps.Gateway.Host.dll"
cli_dll="$root/tools/ProductOps.Cli/bin/$configuration/net10.0/productops.dll"

# http_ok PORT PATH: true when 127.0.0.1:PORT answers PATH with 200 (no curl needed).
http_ok() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    read -r -t 5 _ status _ <&3 || exit 1
    [ "$status" = "200" ]
  ) 2>/dev/null
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

prepare() {
  mkdir -p "$dir"
  if [ -z "${ProductOps__Postgres__ConnectionString:-}" ]; then
    ProductOps__Postgres__ConnectionString=$(bash tools/postgres.sh)
  fi
  export ProductOps__Postgres__ConnectionString
  export ProductOps__Store=Postgres
  export ProductOps__LocalTrial=true
  if [ ! -f "$silo_dll" ] || [ ! -f "$gateway_dll" ] || [ ! -f "$cli_dll" ] || [ "${PRODUCTOPS_CLUSTER_BUILD:-1}" = "1" ]; then
    dotnet build silo/ProductOps.Silo -c "$configuration" -v q -nologo >&2
    dotnet build gateway/ProductOps.Gateway.Host -c "$configuration" -v q -nologo >&2
    dotnet build tools/ProductOps.Cli -c "$configuration" -v q -nologo >&2
  fi
}

start_silo() {
  local n=$1 name="silo-$1"
  if alive "$dir/$name.pid"; then
    echo "$name is already running (pid $(cat "$dir/$name.pid"))"
    return
  fi
  nohup dotnet "$silo_dll" \
    --ProductOps:Silo:Gateway=false \
    --ProductOps:Silo:SiloPort=$((11210 + n)) \
    --ProductOps:Silo:GatewayPort=$((30210 + n)) \
    --ProductOps:Postgres:MigrateOnStart=false \
    --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0 \
    --Kestrel:Endpoints:Http:Url=http://127.0.0.1:$((5280 + n)) \
    >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
  echo "$name: pid $!, silo port $((11210 + n)), gateway port $((30210 + n)), log .cluster/$name.log"
}

wait_healthy() { # NAME PORT
  for _ in $(seq 1 120); do
    if http_ok "$2" /healthz; then
      return 0
    fi
    if ! alive "$dir/$1.pid"; then
      echo "$1 exited; see .cluster/$1.log" >&2
      tail -n 20 "$dir/$1.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "$1 did not become healthy in 60 s; see .cluster/$1.log" >&2
  return 1
}

next_silo() {
  local n=1
  while [ -f "$dir/silo-$n.pid" ]; do n=$((n + 1)); done
  echo "$n"
}

stop_all() {
  local pids=() files=()
  for pid_file in "$dir"/gateway-*.pid "$dir"/silo-*.pid; do
    [ -f "$pid_file" ] || continue
    if alive "$pid_file"; then
      kill -TERM "$(cat "$pid_file")"
      pids+=("$(cat "$pid_file")")
    fi
    files+=("$pid_file")
  done
  for _ in $(seq 1 120); do
    local running=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
    [ "$running" = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" && echo "pid $pid did not stop in 60 s: killed"; done
  rm -f "${files[@]}"
  echo "cluster stopped"
}

case "${1:-}" in
  up)
    count=${2:-3}
    prepare
    dotnet "$cli_dll" migrate
    for n in $(seq 1 "$count"); do start_silo "$n"; done
    for n in $(seq 1 "$count"); do wait_healthy "silo-$n" $((5280 + n)); done
    if ! alive "$dir/gateway-1.pid"; then
      nohup dotnet "$gateway_dll" \
        --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:5100 \
        --Kestrel:Endpoints:Http:Url=http://127.0.0.1:5180 \
        >"$dir/gateway-1.log" 2>&1 &
      echo $! >"$dir/gateway-1.pid"
      echo "gateway-1: pid $!, gRPC 127.0.0.1:5100, HTTP 127.0.0.1:5180, log .cluster/gateway-1.log"
    fi
    wait_healthy gateway-1 5180
    echo "cluster up: $count silos, gateway on 127.0.0.1:5100 (keys demo-ingest-key, demo-read-key, demo-admin-key)"
    ;;
  add-silo)
    PRODUCTOPS_CLUSTER_BUILD=0 prepare
    n=$(next_silo)
    start_silo "$n"
    wait_healthy "silo-$n" $((5280 + n))
    ;;
  down)
    stop_all
    ;;
  *)
    echo "usage: tools/cluster.sh up [N] | add-silo | down" >&2
    exit 2
    ;;
esac
