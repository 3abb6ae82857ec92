# Sourced by the submit scripts: finds the project, its application jar and a Spark runtime.
#   SPARK_HOME set      -> the user's Spark distribution ($SPARK_HOME/bin/spark-submit, spark-class, sbin/ ...)
#   SPARK_HOME not set  -> the runtime Maven assembles from Maven Central into target/spark-runtime (mvn package):
#                          Spark's jars in target/spark-runtime/jars, launched through org.apache.spark.launcher.Main
#                          exactly as a distribution's bin/spark-class does.
REVIEWNET_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REVIEWNET_HOME

reviewnet_die() { echo "reviewnet: $*" >&2; exit 2; }

reviewnet_app_jar() {
  local jar
  jar=$(ls "$REVIEWNET_HOME"/target/reviewnet-*.jar 2>/dev/null | grep -v -e '-sources' -e 'original-' | head -n 1)
  [ -n "$jar" ] || reviewnet_die "no application jar in $REVIEWNET_HOME/target: build it with 'mvn -B -DskipTests package'"
  echo "$jar"
}

REVIEWNET_BUNDLED_RUNTIME=false
if [ -n "${SPARK_HOME:-}" ]; then
  [ -x "$SPARK_HOME/bin/spark-submit" ] || reviewnet_die "SPARK_HOME=$SPARK_HOME has no bin/spark-submit"
  REVIEWNET_SPARK_SOURCE="SPARK_HOME=$SPARK_HOME"
else
  SPARK_HOME="$REVIEWNET_HOME/target/spark-runtime"
  runtime_pom="$REVIEWNET_HOME/submit-scripts/spark-runtime/pom.xml"
  want=$(grep -m1 -o '<spark.version>[^<]*' "$REVIEWNET_HOME/pom.xml" | cut -d'>' -f2)
  have=$(grep -m1 -o '<spark.version>[^<]*' "$runtime_pom" | cut -d'>' -f2)
  [ "$want" = "$have" ] || reviewnet_die "pom.xml builds against Spark $want but $runtime_pom assembles $have"
  complete="$SPARK_HOME/.assembled-$want"
  if [ ! -f "$complete" ]; then
    # one assembly at a time (submissions may start together, e.g. the integration tests); the marker is written last
    mkdir -p "$REVIEWNET_HOME/target"
    exec 9> "$REVIEWNET_HOME/target/.spark-runtime.lock"
    flock 9
    if [ ! -f "$complete" ]; then
      echo "reviewnet: assembling the Spark $want runtime from Maven Central into $SPARK_HOME (once)" >&2
      rm -rf "$SPARK_HOME"
      mvn -B -q -f "$runtime_pom" package >&2 || reviewnet_die "could not assemble the Spark runtime"
      touch "$complete"
    fi
    flock -u 9
    exec 9>&-
  fi
  # A RELEASE file marks a distribution layout: the launcher then takes its classpath from $SPARK_HOME/jars.
  [ -f "$SPARK_HOME/RELEASE" ] || echo "Spark runtime assembled by reviewnet's Maven build" > "$SPARK_HOME/RELEASE"
  export SPARK_HOME
  export SPARK_SCALA_VERSION=2.12
  REVIEWNET_SPARK_SOURCE="Maven-assembled runtime in $SPARK_HOME"
  REVIEWNET_BUNDLED_RUNTIME=true
fi

# Runs one Spark main class the way bin/spark-class does. The launcher first prints messages line by line, then a
# NUL line as a marker, then the full java command with its arguments separated by NUL; a last field with its exit
# status is appended here. The command then runs in place of this shell.
reviewnet_spark_class() {
  if [ -x "$SPARK_HOME/bin/spark-class" ]; then
    exec "$SPARK_HOME/bin/spark-class" "$@"
  fi
  local java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  local -a cmd=()
  local arg delim=$'\n' started=false
  while IFS= read -r -d "$delim" arg; do
    if $started; then
      cmd+=("$arg")
    elif [ -z "$arg" ]; then
      # bash drops the NUL of the marker line: an empty line starts the NUL-separated command
      delim=''
      started=true
    else
      echo "$arg" >&2
    fi
  done < <("$java_cmd" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main "$@"; printf '%d\0' $?)
  local count=${#cmd[@]}
  [ "$count" -gt 0 ] || reviewnet_die "the Spark launcher printed no command"
  local status=${cmd[$((count - 1))]}
  [ "$status" = 0 ] || exit "$status"
  exec "${cmd[@]:0:$((count - 1))}"
}

# The native environment of a JVM that trains in-process (local master, profilers): one OpenMP thread per task unless
# set.
reviewnet_local_native_env() {
  # OPENBLAS_CORETYPE is decided in Java from the CPU flags (ExecutorEnvironment.applyOpenblasCoretype), never over a
  # value already set here
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
}
