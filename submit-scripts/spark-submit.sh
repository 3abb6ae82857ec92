#!/usr/bin/env bash
# Plain spark-submit, for Spark jobs of your own that use reviewnet's models (README, "Use a model in your own Spark
# job"): every argument goes to spark-submit unchanged. Uses $SPARK_HOME when set, else the Spark runtime reviewnet's
# build assembles in target/spark-runtime; on a local master it sets the native environment the product's jobs get
# (one OpenMP thread per task unless set; values already in the environment win).
#
#   submit-scripts/spark-submit.sh --master 'local[2]' --jars target/reviewnet-0.1.0-SNAPSHOT.jar \
#       --class com.example.ScoreReviews my-job.jar MODEL_DIR REVIEWS_PARQUET OUT
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/spark-env.sh"
reviewnet_local_native_env
[ -n "${SPARK_LOCAL_IP:-}" ] || export SPARK_LOCAL_IP=127.0.0.1
if [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  exec "$SPARK_HOME/bin/spark-submit" "$@"
fi
reviewnet_spark_class org.apache.spark.deploy.SparkSubmit "$@"
