#!/usr/bin/env bash
# Submits a reviewnet job to Spark.
#
#   submit-scripts/submit.sh [--master URL] [--deploy-mode client|cluster] [spark-submit options] JOB_FILE [key=value ...]
#
# JOB_FILE is a HOCON job definition from jobs/ (e.g. jobs/compare.conf); each key=value overrides one setting of
# src/main/resources/reference.conf. Masters: local[N] (default local[*]), spark://HOST:PORT (standalone), yarn,
# k8s://https://HOST:PORT. Other options before JOB_FILE go to spark-submit unchanged (--executor-memory 4g,
# --executor-cores 2, --num-executors 4, --properties-file F, --conf k=v ...).
# Uses $SPARK_HOME when set, else the Spark runtime Maven assembles in target/spark-runtime.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/spark-env.sh"

master="local[*]"
deploy_mode=client
verbose=false
spark_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --master) [ $# -ge 2 ] || reviewnet_die "--master needs a URL"; master="$2"; shift 2 ;;
    --master=*) master="${1#--master=}"; shift ;;
    --deploy-mode) [ $# -ge 2 ] || reviewnet_die "--deploy-mode needs client or cluster"; deploy_mode="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --verbose) verbose=true; spark_args+=("$1"); shift ;;
    --supervise) spark_args+=("$1"); shift ;;
    --*) [ $# -ge 2 ] || reviewnet_die "$1 needs a value"; spark_args+=("$1" "$2"); shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || reviewnet_die "usage: submit.sh [--master URL] [spark-submit options] JOB_FILE [key=value ...]"
job_file="$1"; shift
[ -f "$job_file" ] || reviewnet_die "job file '$job_file' does not exist (expected e.g. jobs/compare.conf)"
case "$deploy_mode" in client|cluster) ;; *) reviewnet_die "--deploy-mode must be client or cluster, got '$deploy_mode'" ;; esac

has_option() { local a; for a in "${spark_args[@]+"${spark_args[@]}"}"; do [[ "$a" == "$1" || "$a" == "$1="* ]] && return 0; done; return 1; }
# A Spark property set by the operator: --conf KEY=..., a --properties-file, or the distribution's spark-defaults.conf.
has_setting() {
  local a previous="" file
  for a in "${spark_args[@]+"${spark_args[@]}"}"; do
    [[ "$previous" == --conf && "$a" == "$1="* ]] && return 0
    [[ "$a" == "--conf=$1="* ]] && return 0
    if [[ "$previous" == --properties-file ]]; then file="$a"; fi
    previous="$a"
  done
  [ -z "${file:-}" ] && file="${SPARK_CONF_DIR:-$SPARK_HOME/conf}/spark-defaults.conf"
  [ -f "$file" ] && grep -Eq "^[[:space:]]*$1([[:space:]=:]|$)" "$file"
}

case "$master" in
  local|local\[*\])
    [ "$deploy_mode" = client ] || reviewnet_die "a local master runs in client mode only"
    # The executors are threads of the driver JVM: its launch environment is theirs. One OpenMP thread per task
    # (Spark runs one task per core), and OpenBLAS kernels for this CPU: OpenBLAS 0.3.19 in ND4J does not recognise
    # newer CPUs and falls back to SSE3 (the rule of ExecutorEnvironment.coretype; cluster executors get both
    # through spark.executorEnv.*, which the job sets). Values already in the environment win.
    reviewnet_local_native_env
    # Loopback only: Spark binds the driver and its UI to SPARK_LOCAL_IP (the UI to every address without it).
    # An operator who wants the UI reachable from elsewhere sets SPARK_LOCAL_IP (e.g. to this host's address).
    [ -n "${SPARK_LOCAL_IP:-}" ] || export SPARK_LOCAL_IP=127.0.0.1
    has_option --driver-memory || spark_args+=(--driver-memory "${REVIEWNET_DRIVER_MEMORY:-4g}")
    ;;
  spark://*)
    # Fail fast on an unreachable master (spark-submit would retry for about a minute).
    IFS=',' read -r -a endpoints <<< "${master#spark://}"
    reachable=false
    for endpoint in "${endpoints[@]}"; do
      host="${endpoint%:*}"; port="${endpoint##*:}"
      if timeout 5 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then reachable=true; break; fi
    done
    $reachable || reviewnet_die "cannot reach the Spark master $master (nothing answers on ${endpoints[*]} within 5 s): is the cluster up, and is the URL the one the master printed?"
    # Without spark.authenticate the application does not authenticate, so a master that accepts it accepts anyone.
    has_setting spark.authenticate || echo "reviewnet: warning: submitting to $master without authentication: a standalone master that accepts this accepts code from anyone who can reach it. Run the cluster with spark.authenticate=true and a secret (submit-scripts/standalone-cluster.sh does), and submit with --properties-file FILE holding both (README, \"On a cluster\")." >&2
    ;;
  yarn)
    # Spark finds the ResourceManager and the default file system in the Hadoop client configuration only.
    conf_dir="${HADOOP_CONF_DIR:-${YARN_CONF_DIR:-}}"
    [ -n "$conf_dir" ] || reviewnet_die "--master yarn needs the cluster's Hadoop client configuration: set HADOOP_CONF_DIR (or YARN_CONF_DIR) to the folder with its core-site.xml and yarn-site.xml"
    [ -f "$conf_dir/yarn-site.xml" ] || reviewnet_die "--master yarn: no yarn-site.xml in $conf_dir (HADOOP_CONF_DIR or YARN_CONF_DIR): it must be the cluster's Hadoop client configuration folder"
    # Authentication between driver and executors costs nothing on YARN: YARN generates and distributes the secret.
    has_setting spark.authenticate || spark_args+=(--conf spark.authenticate=true)
    ;;
  k8s://*)
    $REVIEWNET_BUNDLED_RUNTIME && reviewnet_die "the bundled Spark runtime has no Kubernetes support (spark-kubernetes_2.12 is not served for Spark 3.5.9 where it was assembled): set SPARK_HOME to the cluster's Spark 3.5 (Scala 2.12) distribution"
    ;;
  *) reviewnet_die "unknown master '$master': expected local[N], spark://HOST:PORT, yarn or k8s://https://HOST:PORT" ;;
esac
# after the master's checks, which need no build
app_jar="$(reviewnet_app_jar)"
# The resource spark-submit ships: the local jar, or where a cluster already has it (REVIEWNET_APP_JAR, e.g.
# hdfs:///apps/reviewnet.jar uploaded once, or local:/opt/reviewnet/reviewnet.jar present on every node), so that YARN
# does not upload its 255 MB for every application.
app_resource="${REVIEWNET_APP_JAR:-$app_jar}"

if [[ "$master" != local* ]]; then
  # Kryo with ND4J's registrator for the arrays Spark ships between driver and executors; site settings travel along.
  has_setting spark.serializer || spark_args+=(--conf spark.serializer=org.apache.spark.serializer.KryoSerializer
    --conf 'spark.kryo.registrator=reviewnet.train.BulkNDArraySerializer$Registrator')
  files="$job_file"
  [ -f "$REVIEWNET_HOME/conf/application.conf" ] && files="$files,$REVIEWNET_HOME/conf/application.conf"
  spark_args+=(--files "$files")
fi

app_args=("$job_file" "$@")
if [ "$deploy_mode" = cluster ]; then
  # The driver starts on the cluster, where this checkout is not: resolve (and validate) the configuration here and
  # hand it over as a Spark property; paths in it must be valid on the cluster (hdfs://, s3a://, shared mounts).
  resolved=$("${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$SPARK_HOME/jars/*:$app_jar" reviewnet.Main --resolve "$job_file" "$@") \
    || exit $?
  spark_args+=(--conf "spark.reviewnet.config=$resolved")
  # A driver launched by a standalone Worker does not get the module openings spark-submit adds on Java 17.
  opens="-XX:+IgnoreUnrecognizedVMOptions"
  for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
           java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
    opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
  done
  has_setting spark.driver.extraJavaOptions || spark_args+=(--conf "spark.driver.extraJavaOptions=$opens")
  # standalone: wait for the driver, so that the exit status and the log of this script are the job's
  [[ "$master" == spark://* ]] && ! has_setting spark.standalone.submit.waitAppCompletion \
    && spark_args+=(--conf spark.standalone.submit.waitAppCompletion=true)
  app_args=(-)
fi

# Console: reviewnet at INFO, Spark/Hadoop/DL4J at WARN (--verbose or REVIEWNET_CONSOLE_LEVEL=info: everything);
# the full log goes to a file per run (conf/log4j2.properties). A log4j2 file of the operator's wins.
if [ -z "${LOG4J_CONFIGURATION_FILE:-}" ] && [[ " ${spark_args[*]+"${spark_args[*]}"} " != *log4j*configurationFile* ]]; then
  export LOG4J_CONFIGURATION_FILE="$REVIEWNET_HOME/conf/log4j2.properties"
  $verbose && export REVIEWNET_CONSOLE_LEVEL=info
  log_dir="${REVIEWNET_LOG_DIR:-$REVIEWNET_HOME/output/logs}"
  mkdir -p "$log_dir" || reviewnet_die "cannot create the log folder $log_dir (set REVIEWNET_LOG_DIR)"
  export REVIEWNET_LOG_FILE="${REVIEWNET_LOG_FILE:-$log_dir/$(date -u +%Y%m%d-%H%M%S)-$(basename "$job_file" .conf)-$$.log}"
  echo "reviewnet: full log in $REVIEWNET_LOG_FILE" >&2
fi
echo "reviewnet: submitting $job_file to $master in $deploy_mode mode ($REVIEWNET_SPARK_SOURCE)" >&2
if [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  exec "$SPARK_HOME/bin/spark-submit" --master "$master" --deploy-mode "$deploy_mode" \
    "${spark_args[@]+"${spark_args[@]}"}" --class reviewnet.Main "$app_resource" "${app_args[@]}"
fi
reviewnet_spark_class org.apache.spark.deploy.SparkSubmit --master "$master" --deploy-mode "$deploy_mode" \
  "${spark_args[@]+"${spark_args[@]}"}" --class reviewnet.Main "$app_resource" "${app_args[@]}"
