#!/usr/bin/env bash
# Scale benchmark: how prepare and training behave as the corpus grows. Each step runs one job through submit.sh
# (same master, same driver memory for every size) and reports, from the job's own log lines: seconds, reviews/s,
# the driver's heap peak and its largest heap right after a garbage collection (what it really holds), the largest
# executor heap, and the bytes written (reviewnet.bench.ResourceMonitor's RESOURCES line).
#
#   submit-scripts/bench-scale.sh [--master URL] [--driver-memory M] [--work DIR] [--source ACLIMDB] STEP...
#
# Steps (N = reviews in the corpus, train and test halves):
#   prepare:N          generate an N-review Parquet corpus (data/make-large-corpus.sh, once per N and seed), prepare it
#   prepare-folders:N  the same corpus as N small files in the aclImdb layout, prepare it
#   train:N            one epoch of conv on the N/2 training reviews of prepare:N's output (an earlier step, or a
#                      previous run's), and its evaluation
#
#   submit-scripts/bench-scale.sh prepare:50000 prepare:1000000 prepare:500000 train:50000 train:500000 \
#     prepare-folders:200000
#
# Defaults: --master local[2], --driver-memory 4g (submit.sh's default; on a local master the executors are threads of
# the driver, so this is their memory too), --work target/bench-scale, --source data/aclImdb (needs train/unsup:
# data/fetch-imdb.sh --with-unsup). Generated corpora stay in the work folder for reuse (delete it when done: 1M
# reviews are about 0.9 GB). Table and BENCHSCALE lines at the end; logs in WORK/logs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
master="local[2]"
work="target/bench-scale"
source_dir="data/aclImdb"
while [ $# -gt 0 ]; do
  case "$1" in
    --master) master="$2"; shift 2 ;;
    --driver-memory) export REVIEWNET_DRIVER_MEMORY="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --source) source_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) echo "bench-scale: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "bench-scale: no step given (e.g. prepare:50000)" >&2; exit 2; }
mkdir -p "$work/logs"
work="$(cd "$work" && pwd)"
results="$work/logs/results-$(date -u +%Y%m%d-%H%M%S).txt"
: > "$results"

corpus() { # N FORMAT -> path of the generated corpus
  local n="$1" format="$2"
  local dir="$work/corpus-$format-$n"
  if [ ! -e "$dir" ]; then
    data/make-large-corpus.sh --reviews "$n" --format "$format" --out "$dir" --source "$source_dir" \
      --master "$master" > "$work/logs/corpus-$format-$n.log" 2>&1 \
      || { echo "bench-scale: generating $n reviews failed, see $work/logs/corpus-$format-$n.log" >&2; exit 1; }
  fi
  echo "$dir"
}

run_job() { # TAG LOG JOB_FILE key=value...
  local tag="$1" log="$2"; shift 2
  REVIEWNET_LOG_FILE="$log.full" "$here/submit.sh" --master "$master" "$@" > "$log" 2>&1 \
    || { echo "bench-scale: step $tag failed, see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
}

resources() { # LOG -> the RESOURCES fields
  grep -ho 'RESOURCES .*' "$1" | tail -n 1 | sed 's/^RESOURCES //'
}

field() { # FIELDS NAME
  echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2
}

report() { # STEP N REVIEWS SECONDS LOG
  local step="$1" n="$2" reviews="$3" seconds="$4" log="$5" r rate
  r=$(resources "$log")
  rate=$(awk -v a="$reviews" -v s="$seconds" 'BEGIN { printf "%.0f", a / s }')
  echo "BENCHSCALE step=$step corpus=$n reviews=$reviews seconds=$seconds reviews_per_second=$rate" \
    "driver_heap_peak_mb=$(field "$r" driver_heap_peak_mb) driver_live_heap_peak_mb=$(field "$r" driver_live_heap_peak_mb)" \
    "driver_heap_max_mb=$(field "$r" driver_heap_max_mb) executor_heap_peak_mb=$(field "$r" executor_heap_peak_mb)" \
    "task_bytes_written=$(field "$r" task_bytes_written) driver_fs_bytes_written=$(field "$r" driver_fs_bytes_written)" \
    "log=$log" | tee -a "$results"
}

prepare_step() { # STEP N FORMAT
  local step="$1" n="$2" format="$3" input log seconds
  input=$(corpus "$n" "$format")
  log="$work/logs/$step-$n.log"
  rm -rf "$work/prepared-$format-$n"
  local args=(jobs/prepare.conf "reviewnet.input.path=$input" "reviewnet.prepared.path=$work/prepared-$format-$n")
  [ "$format" = parquet ] && args+=(reviewnet.input.format=parquet)
  run_job "$step:$n" "$log" "${args[@]}"
  # "prepared PATH in S s: ..."
  seconds=$(grep -ho 'prepared .* in [0-9.]* s' "$log.full" | tail -n 1 | grep -o '[0-9.]* s$' | cut -d' ' -f1)
  report "$step" "$n" "$n" "$seconds" "$log.full"
}

train_step() { # N
  local n="$1" input log line examples seconds eval_seconds
  input=$(corpus "$n" parquet)
  log="$work/logs/train-$n.log"
  [ -d "$work/prepared-parquet-$n" ] || { echo "bench-scale: run prepare:$n before train:$n" >&2; exit 2; }
  rm -rf "$work/out-$n"
  run_job "train:$n" "$log" jobs/compare.conf "reviewnet.input.path=$input" reviewnet.input.format=parquet \
    "reviewnet.prepared.path=$work/prepared-parquet-$n" "reviewnet.output.path=$work/out-$n" \
    'reviewnet.train.architectures=[conv]' reviewnet.train.epochs=1
  grep -q 'reusing the prepared data' "$log.full" \
    || { echo "bench-scale: train:$n prepared its data again (expected to reuse prepare:$n's)" >&2; exit 1; }
  # "training conv epoch 1/1: E examples in S s, R examples/s, ..."
  line=$(grep -ho 'training conv epoch 1/1: [0-9]* examples in [0-9.]* s' "$log.full" | tail -n 1)
  examples=$(echo "$line" | grep -o ': [0-9]* examples' | grep -o '[0-9]*')
  seconds=$(echo "$line" | grep -o 'in [0-9.]* s' | grep -o '[0-9.]*')
  report train "$n" "$examples" "$seconds" "$log.full"
  eval_seconds=$(grep -ho 'evaluated .* in [0-9.]* s' "$log.full" | tail -n 1 | grep -o '[0-9.]* s$' | cut -d' ' -f1 || true)
  [ -n "$eval_seconds" ] && echo "BENCHSCALE step=evaluate corpus=$n reviews=$((n / 2)) seconds=$eval_seconds" | tee -a "$results"
  true
}

# every train:N needs prepare:N's output: say so now rather than after the steps before it
prepared_sizes=" "
for step in "$@"; do
  n="${step#*:}"
  case "$step" in
    prepare:*) prepared_sizes="$prepared_sizes$n " ;;
    train:*) [[ "$prepared_sizes" == *" $n "* || -d "$work/prepared-parquet-$n" ]] \
      || { echo "bench-scale: train:$n needs prepare:$n before it (or $work/prepared-parquet-$n)" >&2; exit 2; } ;;
  esac
done

for step in "$@"; do
  kind="${step%%:*}"; n="${step#*:}"
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "bench-scale: bad step '$step' (expected e.g. prepare:50000)" >&2; exit 2; }
  case "$kind" in
    prepare) prepare_step prepare "$n" parquet ;;
    prepare-folders) prepare_step prepare-folders "$n" folders ;;
    train) train_step "$n" ;;
    *) echo "bench-scale: unknown step '$kind' (prepare, prepare-folders, train)" >&2; exit 2 ;;
  esac
done

echo
printf '%-16s %10s %10s %9s %10s %10s %10s %10s %14s\n' step corpus reviews seconds reviews/s \
  heap_peak live_peak exec_peak bytes_written
grep '^BENCHSCALE step=[a-z-]* ' "$results" | grep 'driver_heap_peak_mb' | while read -r line; do
  f() { field "$line" "$1"; }
  printf '%-16s %10s %10s %9s %10s %8sMB %8sMB %8sMB %14s\n' "$(f step)" "$(f corpus)" "$(f reviews)" "$(f seconds)" \
    "$(f reviews_per_second)" "$(f driver_heap_peak_mb)" "$(f driver_live_heap_peak_mb)" "$(f executor_heap_peak_mb)" \
    "$(( $(f task_bytes_written) > $(f driver_fs_bytes_written) ? $(f task_bytes_written) : $(f driver_fs_bytes_written) ))"
done
echo "results: $results"
