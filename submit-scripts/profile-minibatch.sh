#!/usr/bin/env bash
# Where one minibatch's time goes, per architecture, without Spark: runs reviewnet.bench.MinibatchProfile in one JVM
# with the native environment of one executor core (OMP_NUM_THREADS=1, OPENBLAS_CORETYPE from the CPU flags), and
# prints per architecture the median fit time of a minibatch of 32, each layer's forward and backward time, the Adam
# update, JVM allocation and GC per fit call, and with --ops ND4J's per-op totals.
#
#   submit-scripts/profile-minibatch.sh [--architectures conv,gru] [--native-backend auto|generic|onednn-avx2]
#                                       [--batches 60] [--warmup 20] [--fit-only] [--ops]
#
# PROFILE=1 also records the JVM with async-profiler (Java and native frames) into target/bench/profile-minibatch-<time>/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/spark-env.sh"
app_jar="$(reviewnet_app_jar)"
reviewnet_local_native_env
opts=()
if [ "${PROFILE:-0}" = 1 ]; then
  dir="$REVIEWNET_HOME/target/bench/profile-minibatch-$(date -u +%Y%m%d-%H%M%S)"
  mkdir -p "$dir"
  agent=$(source "$here/profiler.sh" && reviewnet_async_profiler)
  opts=("-agentpath:$agent=start,event=itimer,interval=2ms,file=$dir/cpu.collapsed")
  echo "profile-minibatch: recording into $dir" >&2
fi
"${JAVA_HOME:+$JAVA_HOME/bin/}java" "${opts[@]+"${opts[@]}"}" -cp "$app_jar:$SPARK_HOME/jars/*" \
  reviewnet.bench.MinibatchProfile "$@"
[ "${PROFILE:-0}" = 1 ] && "$here/profile-summary.sh" "$dir/cpu.collapsed"
exit 0
