#!/usr/bin/env bash
# Submits a reviewnet job to Spark.
#
#   submit-scripts/submit.sh [--master URL] [other spark-submit options] JOB_FILE [key=value ...]
#
# JOB_FILE is a HOCON job definition from jobs/ (e.g. jobs/prepare.conf); each key=value overrides one setting of
# src/main/resources/reference.conf. The master defaults to local[*]. Options before JOB_FILE go to spark-submit
# unchanged (e.g. --driver-memory 8g, --conf spark.x=y). Uses $SPARK_HOME when set, else the Spark runtime that
# 'mvn package' assembles in target/spark-runtime.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/spark-env.sh"

master="local[*]"
spark_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --master) [ $# -ge 2 ] || reviewnet_die "--master needs a URL"; master="$2"; shift 2 ;;
    --master=*) master="${1#--master=}"; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) [ $# -ge 2 ] || reviewnet_die "$1 needs a value"; spark_args+=("$1" "$2"); shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || reviewnet_die "usage: submit.sh [--master URL] [spark-submit options] JOB_FILE [key=value ...]"
job_file="$1"; shift
[ -f "$job_file" ] || reviewnet_die "job file '$job_file' does not exist (expected e.g. jobs/prepare.conf)"
app_jar="$(reviewnet_app_jar)"

# Driver memory: the local master runs the executors inside the driver JVM.
has_driver_memory=false
for a in "${spark_args[@]+"${spark_args[@]}"}"; do [ "$a" = "--driver-memory" ] && has_driver_memory=true; done
$has_driver_memory || spark_args+=(--driver-memory "${REVIEWNET_DRIVER_MEMORY:-4g}")

# Native threads: with a local master the executors are threads of this JVM, so its launch environment is theirs.
# One OpenMP thread per task (Spark already runs one task per core), and OpenBLAS kernels for this CPU: OpenBLAS
# 0.3.19 in ND4J does not recognise newer CPUs and falls back to SSE3 (the rule of ExecutorEnvironment.coretype;
# cluster executors get both through spark.executorEnv.*, set by the job).
case "$master" in
  local*)
    export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
    if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -r /proc/cpuinfo ]; then
      flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
      if [[ "$flags" == *" avx512f "* && "$flags" == *" avx512bw "* && "$flags" == *" avx512vl "* ]]; then
        export OPENBLAS_CORETYPE=SkylakeX
      elif [[ "$flags" == *" avx2 "* && "$flags" == *" fma "* ]]; then
        export OPENBLAS_CORETYPE=Haswell
      fi
    fi
    ;;
esac

echo "reviewnet: submitting $job_file to $master ($REVIEWNET_SPARK_SOURCE)" >&2
if [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  exec "$SPARK_HOME/bin/spark-submit" --master "$master" "${spark_args[@]}" \
    --class reviewnet.Main "$app_jar" "$job_file" "$@"
fi
reviewnet_spark_class org.apache.spark.deploy.SparkSubmit --master "$master" "${spark_args[@]}" \
  --class reviewnet.Main "$app_jar" "$job_file" "$@"
