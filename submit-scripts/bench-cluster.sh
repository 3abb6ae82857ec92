#!/usr/bin/env bash
# Cluster benchmark: the same one-epoch training on a real standalone cluster (standalone-cluster.sh) with 1 worker,
# then with 2 workers (1 core each, or WORKER_CORES), and prints examples/s per architecture and worker count, with
# the 2-worker/1-worker ratio, as a table and as BENCH lines. Extra key=value arguments go to the job.
#
#   submit-scripts/bench-cluster.sh INPUT_PATH [key=value ...]
#   submit-scripts/bench-cluster.sh target/imdb/slice-1000-500/aclImdb 'reviewnet.train.architectures=[gru,conv]'
#
# WORKERS="1 2" (the worker counts to run), WORKER_CORES=1, WORKER_MEMORY=3g, EXECUTOR_MEMORY=2g.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
[ $# -ge 1 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
input="$(cd "$1" && pwd)"; shift
base="$PWD/target/bench-cluster/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$base"
lines="$base/results.txt"
: > "$lines"
for workers in ${WORKERS:-1 2}; do
  run="$base/workers-$workers"
  export CLUSTER_RUN_DIR="$run/cluster"
  trap '"$here/standalone-cluster.sh" down >/dev/null 2>&1 || true' EXIT
  master=$("$here/standalone-cluster.sh" up "$workers" --cores "${WORKER_CORES:-1}" --memory "${WORKER_MEMORY:-3g}")
  mkdir -p "$run/local"
  "$here/submit.sh" --master "$master" --properties-file "$CLUSTER_RUN_DIR/spark-auth.conf" \
      --executor-memory "${EXECUTOR_MEMORY:-2g}" --driver-memory 2g --conf spark.local.dir="$run/local" \
      --conf spark.ui.enabled=false jobs/bench.conf reviewnet.input.path="$input" \
      reviewnet.prepared.path="$base/prepared" reviewnet.output.path="$run/out" "$@" > "$run/job.log" 2>&1 \
    || { echo "bench-cluster: the job failed with $workers worker(s), see $run/job.log" >&2; exit 1; }
  "$here/standalone-cluster.sh" down
  trap - EXIT
  grep '^RESULT ' "$run/job.log" | sed "s/^RESULT /RESULT cluster_workers=$workers /" | tee -a "$lines"
done
awk '
  /^RESULT / {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    a = v["architecture"]; w = v["cluster_workers"]; if (!(a in seen)) { seen[a] = 1; order[++n] = a }
    xs[a, w] = v["examples_per_second"]; es[a, w] = v["epoch_seconds"]; acc[a, w] = v["accuracy"]
  }
  END {
    printf "\n%-12s %14s %14s %8s %10s %10s\n", "architecture", "ex/s 1 worker", "ex/s 2 workers", "ratio", "acc 1", "acc 2"
    for (i = 1; i <= n; i++) {
      a = order[i]; r = (xs[a, 1] > 0) ? xs[a, 2] / xs[a, 1] : 0
      printf "%-12s %14.1f %14.1f %8.2f %10.4f %10.4f\n", a, xs[a, 1], xs[a, 2], r, acc[a, 1], acc[a, 2]
      lines = lines sprintf("BENCH architecture=%s examples_per_second_1=%.1f examples_per_second_2=%.1f ratio=%.2f accuracy_1=%.4f accuracy_2=%.4f\n", \
        a, xs[a, 1], xs[a, 2], r, acc[a, 1], acc[a, 2])
    }
    printf "\n%s", lines
  }' "$lines"
