# Sourced by the benchmark scripts: async-profiler (https://github.com/async-profiler/async-profiler) from Maven Central
# (artifact tools.profiler:async-profiler, which carries the native agent), unpacked once into target/bench/tools.
REVIEWNET_ASYNC_PROFILER_VERSION=3.0

# Prints the path of libasyncProfiler.so for this machine, fetching the artifact with Maven the first time.
reviewnet_async_profiler() {
  local root="${REVIEWNET_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
  local tools="$root/target/bench/tools" arch
  case "$(uname -m)" in
    x86_64) arch=linux-x64 ;;
    aarch64) arch=linux-arm64 ;;
    *) echo "profiler: no async-profiler build for $(uname -m)" >&2; return 2 ;;
  esac
  local lib="$tools/$arch/libasyncProfiler.so"
  if [ ! -f "$lib" ]; then
    mkdir -p "$tools"
    mvn -B -q dependency:copy -Dartifact="tools.profiler:async-profiler:$REVIEWNET_ASYNC_PROFILER_VERSION" \
      -DoutputDirectory="$tools" >&2 || { echo "profiler: cannot fetch async-profiler from Maven Central" >&2; return 2; }
    (cd "$tools" && unzip -q -o "async-profiler-$REVIEWNET_ASYNC_PROFILER_VERSION.jar" "$arch/libasyncProfiler.so")
  fi
  echo "$lib"
}
