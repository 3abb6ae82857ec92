#!/usr/bin/env bash
# Benchmark: trains and evaluates the architectures (jobs/bench.conf) and prints, per architecture, epoch seconds,
# examples/s and accuracy as a table and as machine-readable lines. With REPEAT=n it runs n times in a row and
# reports medians per architecture (and each run's lines).
#
#   submit-scripts/bench.sh [--master URL] [spark-submit options] [key=value ...]
#   REPEAT=3 submit-scripts/bench.sh --master 'local[2]' 'reviewnet.train.architectures=[gru,conv]'
#
# Results also land in target/bench/results (Parquet); logs in target/bench/logs/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
repeat="${REPEAT:-1}"
spark_opts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --*) spark_opts+=("$1" "$2"); shift 2 ;;
    *) break ;;
  esac
done
mkdir -p target/bench/logs
lines=target/bench/logs/results-$(date -u +%Y%m%d-%H%M%S).txt
: > "$lines"
for i in $(seq 1 "$repeat"); do
  log=target/bench/logs/run-$(date -u +%Y%m%d-%H%M%S)-$i.log
  start=$(date +%s)
  "$here/submit.sh" "${spark_opts[@]+"${spark_opts[@]}"}" jobs/bench.conf "$@" > "$log" 2>&1 \
    || { echo "bench: run $i failed, see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
  end=$(date +%s)
  grep '^RESULT ' "$log" | tee -a "$lines"
  echo "BENCH run=$i wall_seconds=$((end - start)) log=$log"
done
# medians per architecture over the runs
awk '
  /^RESULT / {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    a = v["architecture"]; if (!(a in seen)) { seen[a] = 1; order[++n] = a }
    k = ++count[a]; es[a, k] = v["epoch_seconds"]; xs[a, k] = v["examples_per_second"]; acc[a, k] = v["accuracy"]
  }
  function median(arr, a, c,    i, j, t, x) {
    for (i = 1; i <= c; i++) x[i] = arr[a, i]
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (x[j] + 0 < x[i] + 0) { t = x[i]; x[i] = x[j]; x[j] = t }
    return (c % 2) ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2
  }
  END {
    printf "\n%-12s %5s %14s %14s %10s\n", "architecture", "runs", "epoch s (med)", "examples/s", "accuracy"
    for (i = 1; i <= n; i++) {
      a = order[i]; c = count[a]
      printf "%-12s %5d %14.1f %14.1f %10.4f\n", a, c, median(es, a, c), median(xs, a, c), median(acc, a, c)
      lines = lines sprintf("BENCH architecture=%s runs=%d epoch_seconds_median=%.2f examples_per_second_median=%.1f accuracy_median=%.4f\n", \
        a, c, median(es, a, c), median(xs, a, c), median(acc, a, c))
    }
    printf "\n%s", lines
  }' "$lines"
