#!/usr/bin/env bash
# A real Spark standalone cluster on 127.0.0.1 for development and tests: one Master and N Workers, random ports,
# every scratch directory under one run folder, stopped by process id (Workers first).
#
#   submit-scripts/standalone-cluster.sh up N [--cores C] [--memory M]   prints the master's spark:// URL on stdout
#   submit-scripts/standalone-cluster.sh down                             stops it and removes nothing but processes
#
# Run folder: $CLUSTER_RUN_DIR, else target/cluster. It holds logs/, work/ (executor folders), local/, pids/, and
# spark-auth.conf: spark.authenticate with a secret generated here (mode 600, never printed). Applications
# authenticate with --properties-file "$RUN/spark-auth.conf" (submit.sh --cluster-run-dir does that).
# RPC encryption: SPARK_CLUSTER_ENCRYPT=true. Web UIs are bound to 127.0.0.1. SPARK_CLUSTER_AUTH=false starts the
# cluster without authentication (Spark's standalone master does not hand spark.authenticate.secret to drivers it
# launches, so --deploy-mode cluster against an authenticated standalone cluster needs the secret in every node's
# configuration; on a development machine, use an unauthenticated cluster for that).
# Uses $SPARK_HOME when set, else the Spark runtime Maven assembles in target/spark-runtime.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir="${CLUSTER_RUN_DIR:-$here/../target/cluster}"
mkdir -p "$run_dir"
run_dir="$(cd "$run_dir" && pwd)"
pids="$run_dir/pids"

die() { echo "standalone-cluster: $*" >&2; exit 2; }

start_daemon() { # name class args...: starts one Spark daemon in the background, records its pid
  local name="$1"; shift
  (
    # shellcheck source=spark-env.sh
    source "$here/spark-env.sh"
    export SPARK_LOCAL_IP=127.0.0.1 SPARK_PUBLIC_DNS=127.0.0.1
    export SPARK_WORKER_DIR="$run_dir/work" SPARK_LOCAL_DIRS="$run_dir/local/$name" SPARK_LOG_DIR="$run_dir/logs"
    export SPARK_PID_DIR="$pids" SPARK_CONF_DIR="$run_dir/conf"
    export SPARK_DAEMON_MEMORY="${SPARK_DAEMON_MEMORY:-512m}"
    mkdir -p "$SPARK_LOCAL_DIRS"
    exec </dev/null >"$run_dir/logs/$name.out" 2>&1
    reviewnet_spark_class "$@"
  ) &
  echo $! > "$pids/$name.pid"
}

wait_for_log() { # file pattern seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    if grep -q -E "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

cmd="${1:-}"
case "$cmd" in
  up)
    workers="${2:-}"
    [[ "$workers" =~ ^[1-9][0-9]*$ ]] || die "usage: standalone-cluster.sh up N [--cores C] [--memory M]"
    shift 2
    cores=1; memory=2g
    while [ $# -gt 0 ]; do
      case "$1" in
        --cores) cores="$2"; shift 2 ;;
        --memory) memory="$2"; shift 2 ;;
        *) die "unknown option $1" ;;
      esac
    done
    if ls "$pids"/*.pid >/dev/null 2>&1; then
      die "a cluster already runs from $run_dir (standalone-cluster.sh down first)"
    fi
    mkdir -p "$pids" "$run_dir/logs" "$run_dir/work" "$run_dir/conf"
    secret_file="$run_dir/spark-auth.conf"
    umask 077
    if [ "${SPARK_CLUSTER_AUTH:-true}" = true ]; then
      {
        echo "spark.authenticate true"
        echo "spark.authenticate.secret $(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
        echo "spark.network.crypto.enabled ${SPARK_CLUSTER_ENCRYPT:-false}"
      } > "$secret_file"
    else
      echo "spark.authenticate false" > "$secret_file"
    fi
    umask 022
    # The daemons read their settings from SPARK_CONF_DIR: the secret never appears on a command line.
    cp "$secret_file" "$run_dir/conf/spark-defaults.conf"
    {
      echo "spark.ui.enabled false"
      echo "spark.master.ui.port 0"
      echo "spark.worker.ui.port 0"
      echo "spark.ui.reverseProxy false"
    } >> "$run_dir/conf/spark-defaults.conf"
    chmod 600 "$run_dir/conf/spark-defaults.conf"
    start_daemon master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0 \
      --properties-file "$run_dir/conf/spark-defaults.conf"
    wait_for_log "$run_dir/logs/master.out" 'Starting Spark master at spark://' 60 \
      || { "$0" down >/dev/null 2>&1 || true; die "the master did not start: see $run_dir/logs/master.out"; }
    url=$(grep -o -m1 -E 'spark://127\.0\.0\.1:[0-9]+' "$run_dir/logs/master.out")
    for i in $(seq 1 "$workers"); do
      start_daemon "worker-$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 \
        --cores "$cores" --memory "$memory" --work-dir "$run_dir/work/worker-$i" \
        --properties-file "$run_dir/conf/spark-defaults.conf" "$url"
    done
    for i in $(seq 1 "$workers"); do
      wait_for_log "$run_dir/logs/worker-$i.out" 'Successfully registered with master' 60 \
        || { "$0" down >/dev/null 2>&1 || true; die "worker $i did not register: see $run_dir/logs/worker-$i.out"; }
    done
    echo "$url" > "$run_dir/master-url"
    echo "$url"
    ;;
  down)
    [ -d "$pids" ] || exit 0
    stop() { # pid file: TERM, then KILL after 10 s; also kills the process group's executors of a worker
      local file="$1" pid
      pid=$(cat "$file")
      if kill -0 "$pid" 2>/dev/null; then
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
      fi
      rm -f "$file"
    }
    # executors (children of the workers) may outlive them: find them by their working directory
    for file in "$pids"/worker-*.pid; do [ -e "$file" ] && stop "$file"; done
    for proc in /proc/[0-9]*; do
      cwd=$(readlink "$proc/cwd" 2>/dev/null || true)
      case "$cwd" in "$run_dir"/work/*) kill -KILL "${proc#/proc/}" 2>/dev/null || true ;; esac
    done
    [ -e "$pids/master.pid" ] && stop "$pids/master.pid"
    rm -f "$run_dir/master-url"
    ;;
  *)
    die "usage: standalone-cluster.sh up N [--cores C] [--memory M] | down"
    ;;
esac
