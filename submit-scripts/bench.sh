#!/usr/bin/env bash
# Benchmark: trains and evaluates the architectures (jobs/bench.conf) and prints, per architecture, epoch seconds,
# examples/s, evaluation seconds and accuracy as a table and as machine-readable BENCH lines. With REPEAT=n it runs n
# times in a row and reports medians per architecture (and each run's lines).
#
#   submit-scripts/bench.sh [--master URL] [spark-submit options] [key=value ...]
#   REPEAT=3 submit-scripts/bench.sh --master 'local[2]' 'reviewnet.train.architectures=[gru,conv]'
#
# SINGLE=1   also runs everything once more on local[1] (one worker: no parameter averaging to pay for) and prints,
#            per architecture, the ratio of the main run's examples/s to the single worker's.
# PROFILE=1  records the (first) run with async-profiler (CPU samples of Java AND native frames as collapsed stacks,
#            from the Maven Central artifact tools.profiler:async-profiler) and Java Flight Recorder, into
#            target/bench/profile-<time>/ (cpu.collapsed, run.jfr), and prints where the samples went
#            (submit-scripts/profile-summary.sh). On a local master the executors run in the driver JVM, so this covers
#            the training workers too. See README, "Profiling".
#
# Results also land in target/bench/results (Parquet); logs in target/bench/logs/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
repeat="${REPEAT:-1}"
master="local[*]"
spark_opts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --master) master="$2"; shift 2 ;;
    --*) spark_opts+=("$1" "$2"); shift 2 ;;
    *) break ;;
  esac
done
mkdir -p target/bench/logs
stamp=$(date -u +%Y%m%d-%H%M%S)
lines=target/bench/logs/results-$stamp.txt
: > "$lines"

profile_opts=()
if [ "${PROFILE:-0}" = 1 ]; then
  profile_dir="$PWD/target/bench/profile-$stamp"
  mkdir -p "$profile_dir"
  agent=$(source "$here/profiler.sh" && reviewnet_async_profiler)
  # itimer: CPU time samples that work without perf_events permissions (containers, VMs)
  profile_opts=(--driver-java-options "-agentpath:$agent=start,event=itimer,interval=5ms,file=$profile_dir/cpu.collapsed \
-XX:StartFlightRecording=filename=$profile_dir/run.jfr,settings=profile")
  echo "bench: profiling into $profile_dir"
fi

run_bench() { # MASTER TAG [profile]
  local m="$1" tag="$2" log start end
  log=target/bench/logs/run-$(date -u +%Y%m%d-%H%M%S)-$tag.log
  start=$(date +%s)
  local extra=()
  [ "${3:-}" = profile ] && extra=("${profile_opts[@]+"${profile_opts[@]}"}")
  "$here/submit.sh" --master "$m" "${spark_opts[@]+"${spark_opts[@]}"}" "${extra[@]+"${extra[@]}"}" \
    jobs/bench.conf "${job_args[@]+"${job_args[@]}"}" > "$log" 2>&1 \
    || { echo "bench: run $tag failed, see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
  end=$(date +%s)
  grep '^RESULT ' "$log" | sed "s/^RESULT /RESULT mode=$tag /" | tee -a "$lines"
  local staged
  staged=$(grep -o 'training data staged.* in [0-9.]* s' "$log" | grep -o '[0-9.]* s$' | cut -d' ' -f1 || true)
  echo "BENCH run=$tag master=$m wall_seconds=$((end - start)) staging_seconds=${staged:-?} log=$log"
}

job_args=("$@")
for i in $(seq 1 "$repeat"); do
  run_bench "$master" "main-$i" "$([ "$i" = 1 ] && echo profile)"
done
if [ "${SINGLE:-0}" = 1 ]; then
  run_bench 'local[1]' single
fi
if [ "${PROFILE:-0}" = 1 ]; then
  "$here/profile-summary.sh" "$profile_dir/cpu.collapsed"
fi

# medians per architecture over the main runs; the single-worker run's examples/s beside them
awk '
  /^RESULT / {
    delete v
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    a = v["architecture"]
    if (v["mode"] == "single") { single[a] = v["examples_per_second"]; next }
    if (!(a in seen)) { seen[a] = 1; order[++n] = a }
    k = ++count[a]; es[a, k] = v["epoch_seconds"]; xs[a, k] = v["examples_per_second"]; acc[a, k] = v["accuracy"]
    ev[a, k] = v["eval_seconds"]
  }
  function median(arr, a, c,    i, j, t, x) {
    for (i = 1; i <= c; i++) x[i] = arr[a, i]
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (x[j] + 0 < x[i] + 0) { t = x[i]; x[i] = x[j]; x[j] = t }
    return (c % 2) ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2
  }
  END {
    printf "\n%-12s %5s %14s %12s %12s %10s %14s %10s\n", "architecture", "runs", "epoch s (med)", "examples/s",
      "eval s (med)", "accuracy", "1-worker ex/s", "ratio"
    for (i = 1; i <= n; i++) {
      a = order[i]; c = count[a]
      x = median(xs, a, c)
      s1 = (a in single) ? single[a] : ""
      r = (s1 != "" && s1 > 0) ? sprintf("%.2f", x / s1) : "-"
      printf "%-12s %5d %14.1f %12.1f %12.2f %10.4f %14s %10s\n", a, c, median(es, a, c), x, median(ev, a, c),
        median(acc, a, c), (s1 == "" ? "-" : s1), r
      lines = lines sprintf("BENCH architecture=%s runs=%d epoch_seconds_median=%.2f examples_per_second_median=%.1f eval_seconds_median=%.2f accuracy_median=%.4f single_worker_examples_per_second=%s workers_to_single_ratio=%s\n", \
        a, c, median(es, a, c), x, median(ev, a, c), median(acc, a, c), (s1 == "" ? "-" : s1), r)
    }
    printf "\n%s", lines
  }' "$lines"
