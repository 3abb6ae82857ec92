#!/usr/bin/env bash
# Scoring throughput of a trained model on the IMDB test split (25,000 reviews), on local[2] unless --master says
# otherwise: the same model and the same Parquet input (id, text) scored by
#   1. predict.conf (the product's batch scoring job, the model as a registry version), and
#   2. the README's example Spark job (src/test/java/example/ScoreReviews.java: PipelineModel.load, transform, write),
#      submitted with reviewnet's jar on its classpath (spark-submit --jars),
# ROUNDS times each, alternating; prints each command's wall seconds (JVM and Spark start included: the same for both)
# and reviews per second, and the medians.
#
#   submit-scripts/bench-scoring.sh [--master URL]          ARCH=lstm ROUNDS=3 (defaults)
#
# Needs data/aclImdb (data/fetch-imdb.sh) and the built jar and test classes (mvn -B -DskipTests package). Trains ARCH
# first (jobs/compare.conf, one epoch) unless MODEL=<model directory> names one. Work in target/bench-scoring/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
master="local[2]"
[ "${1:-}" = --master ] && { master="$2"; shift 2; }
arch="${ARCH:-lstm}"
rounds="${ROUNDS:-3}"
work="$PWD/target/bench-scoring"
mkdir -p "$work/logs"
# in subshells: spark-env.sh exports SPARK_HOME, which the submit scripts must find unset to use the bundled runtime
jar=$(source submit-scripts/spark-env.sh && reviewnet_app_jar)
spark_jars=$(source submit-scripts/spark-env.sh && echo "$SPARK_HOME/jars")
reviewnet_die() { echo "reviewnet: $*" >&2; exit 2; }
[ -d target/test-classes/example ] || reviewnet_die "no target/test-classes/example: build with 'mvn -B -DskipTests package'"
[ -d data/aclImdb/test ] || reviewnet_die "no data/aclImdb/test: run data/fetch-imdb.sh"

if [ ! -d "$work/reviews" ]; then
  rm -rf "$work/reviews-all"
  # the module openings Spark's launcher gives every JVM on Java 17
  java --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
    --add-opens=java.base/java.lang.invoke=ALL-UNNAMED -cp "$spark_jars/*" \
    submit-scripts/bench-scoring/ReviewsToParquet.java "$PWD/data/aclImdb/test" "$work/reviews-all" \
    > "$work/logs/reviews.log" 2>&1 || reviewnet_die "could not write the reviews as Parquet: $work/logs/reviews.log"
  mv "$work/reviews-all" "$work/reviews"
fi
model="${MODEL:-}"
if [ -z "$model" ]; then
  submit-scripts/submit.sh --master "$master" jobs/compare.conf "reviewnet.train.architectures=[$arch]" \
    reviewnet.output.path="$work/output" > "$work/logs/train.log" 2>&1 || reviewnet_die "training failed: $work/logs/train.log"
  model=$(ls -d "$work"/output/models/*/"$arch" | tail -n 1)
fi
echo "model: $model"
# predict reads a registry: the model as a version of a scratch registry
rm -rf "$work/registry" && mkdir -p "$work/registry/versions" && cp -r "$model" "$work/registry/versions/bench"
(cd target/test-classes && jar cf "$work/example.jar" example/ScoreReviews.class)

reviews=25000
predict_s=(); example_s=()
for round in $(seq 1 "$rounds"); do
  rm -rf "$work/predict-out" "$work/example-out"
  start=$(date +%s.%N)
  submit-scripts/submit.sh --master "$master" jobs/predict.conf reviewnet.retrain.registry="$work/registry" \
    reviewnet.predict.model-version=bench reviewnet.predict.input.path="$work/reviews" \
    reviewnet.predict.input.format=parquet reviewnet.predict.output.path="$work/predict-out" \
    > "$work/logs/predict-$round.log" 2>&1 || reviewnet_die "predict failed: $work/logs/predict-$round.log"
  predict_s+=("$(echo "$(date +%s.%N) - $start" | bc)")
  start=$(date +%s.%N)
  submit-scripts/spark-submit.sh --master "$master" --driver-memory 4g --jars "$jar" --class example.ScoreReviews \
    "$work/example.jar" "$work/registry/versions/bench" "$work/reviews" "$work/example-out" \
    > "$work/logs/example-$round.log" 2>&1 || reviewnet_die "the example job failed: $work/logs/example-$round.log"
  example_s+=("$(echo "$(date +%s.%N) - $start" | bc)")
  grep -h "reviews scored" "$work/logs/predict-$round.log" | tail -n 1
  printf 'round %d: predict.conf %.1f s (%.0f reviews/s), PipelineModel.load job %.1f s (%.0f reviews/s)\n' "$round" \
    "${predict_s[-1]}" "$(echo "$reviews / ${predict_s[-1]}" | bc -l)" "${example_s[-1]}" \
    "$(echo "$reviews / ${example_s[-1]}" | bc -l)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mp=$(median "${predict_s[@]}"); me=$(median "${example_s[@]}")
printf 'SCORING arch=%s reviews=%d rounds=%d predict_seconds=%.1f predict_reviews_per_s=%.0f pipeline_seconds=%.1f pipeline_reviews_per_s=%.0f\n' \
  "$arch" "$reviews" "$rounds" "$mp" "$(echo "$reviews / $mp" | bc -l)" "$me" "$(echo "$reviews / $me" | bc -l)"
