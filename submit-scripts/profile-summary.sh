#!/usr/bin/env bash
# Where the CPU samples of an async-profiler recording (collapsed stacks: "frame;frame;... count") went, in the terms
# of a training epoch: each sample is put in the first category whose pattern a frame of its stack matches.
#
#   submit-scripts/profile-summary.sh target/bench/profile-<time>/cpu.collapsed
set -euo pipefail
[ $# -eq 1 ] && [ -f "$1" ] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
awk '
  BEGIN {
    # category | pattern (first match wins, in this order)
    n = split("averaging: parameters and updater|ParameterAveragingTrainingMaster.processResults|" \
      "averaging: serialization|(ObjectOutputStream|ObjectInputStream|KryoSerializ|JavaSerializ|Nd4j.write|Nd4j.read|DataSet.save|DataSet.load)|" \
      "staging: minibatch export|TrainingData|" \
      "evaluation|(EvaluationRunner|doEvaluation|IEvaluat)|" \
      "Adam update|(AdamUpdater|adam_updater|UpdaterBlock|BaseMultiLayerUpdater)|" \
      "recurrent layers (GRU, LSTM, SimpleRNN)|(GRULayer|LSTM|SimpleRnn|FusedLstm|FusedSimpleRnn|LastTimeStep)|" \
      "convolution and pooling|(Convolution1DLayer|ConvolutionLayer|Subsampling|conv1d|conv2d|im2col|col2im|maxpool|dnnl|mkldnn)|" \
      "embedding|EmbeddingSequenceLayer|" \
      "dropout and output layer|(DropoutLayer|Dropout|OutputLayer|LossBinaryXENT)|" \
      "other DL4J training|(MultiLayerNetwork|ParameterAveragingTrainingWorker|ExecuteWorker)|" \
      "Parquet read|(parquet|Parquet|VectorizedColumnReader)|" \
      "Spark scheduling and shuffle|(org.apache.spark.scheduler|ShuffleMapTask|shuffle|BlockManager|netty)|" \
      "JVM: GC and compiler|(GCTaskThread|G1|CompileBroker|C2Compiler|C1Compiler|GangWorker|VMThread)", f, "|")
    for (i = 1; i <= n; i += 2) { name[(i + 1) / 2] = f[i]; pat[(i + 1) / 2] = f[i + 1] }
    cats = (n + 1) / 2
  }
  {
    count = $NF; $NF = ""; stack = $0; total += count; hit = 0
    for (c = 1; c <= cats; c++) if (stack ~ pat[c]) { sum[c] += count; hit = 1; break }
    if (!hit) other += count
  }
  END {
    printf "%-42s %10s %7s\n", "where (CPU samples)", "samples", "share"
    for (c = 1; c <= cats; c++) if (sum[c] > 0) printf "%-42s %10d %6.1f%%\n", name[c], sum[c], 100 * sum[c] / total
    printf "%-42s %10d %6.1f%%\n", "other", other, 100 * other / total
    printf "%-42s %10d\n", "total", total
  }' "$1"
