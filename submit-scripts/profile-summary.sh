#!/usr/bin/env bash
# Where the CPU samples of an async-profiler recording (collapsed stacks: "frame;frame;... count") went, in the terms
# of a training epoch: each sample is put in the first category (in the order below) whose pattern matches its stack.
#
#   submit-scripts/profile-summary.sh target/bench/profile-<time>/cpu.collapsed
set -euo pipefail
[ $# -eq 1 ] && [ -f "$1" ] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
categories=$(cat <<'CATS'
evaluation (forward passes on the test split)	(DistributedEvaluator|EvaluationRunner|doEvaluation|IEvaluat)
Adam update	(AdamUpdater|adam_updater|UpdaterBlock|BaseMultiLayerUpdater)
recurrent layers	(GRULayer|LSTM|SimpleRnn|FusedLstm|FusedSimpleRnn|LastTimeStep)
convolution and pooling	(Convolution1DLayer|ConvolutionLayer|Subsampling|conv1d|conv2d|im2col|col2im|maxpool|dnnl|mkldnn)
embedding	(EmbeddingSequenceLayer|FastEmbedding)
dropout	(DropoutLayer|Dropout)
output layer and loss	(OutputLayer|LossBinaryXENT|computeGradientAndScore)
other minibatch work (fit machinery)	(MultiLayerNetwork|StochasticGradientDescent|BaseOptimizer)
loading exported minibatches	(DataSet.load|SerializedDataSetLoader|DataSetLoaderIterator|RemoteFileSource)
averaging: worker network set-up per round	(getInitialModel|MultiLayerNetwork.init|MultiLayerUpdater.<init>)
averaging: Java serialization of parameters and Adam state	(ObjectOutputStream|ObjectInputStream|JavaSerializ|KryoSerializ|BaseDataBuffer.write|BaseDataBuffer.read|TorrentBroadcast)
averaging: summing and applying parameters	(ParameterAveraging|processResults|treeAggregate)
staging: training minibatch export	(TrainingData|DataSets)
Parquet read	(parquet|Parquet)
Spark scheduling, shuffle, block manager	(org.apache.spark|org.sparkproject|io.netty)
JVM: GC and JIT compiler	(GCTaskThread|G1|CompileBroker|C2Compiler|C1Compiler|VMThread|Thread::call_run)
CATS
)
awk -F'\t' -v cats="$categories" '
  BEGIN {
    n = split(cats, lines, "\n")
    for (i = 1; i <= n; i++) { split(lines[i], f, "\t"); name[i] = f[1]; pat[i] = f[2] }
    FS = " "
  }
  {
    count = $NF; stack = substr($0, 1, length($0) - length($NF) - 1); total += count; hit = 0
    for (c = 1; c <= n; c++) if (stack ~ pat[c]) { sum[c] += count; hit = 1; break }
    if (!hit) other += count
  }
  END {
    printf "%-58s %9s %7s\n", "where (CPU samples)", "samples", "share"
    for (c = 1; c <= n; c++) if (sum[c] > 0) printf "%-58s %9d %6.1f%%\n", name[c], sum[c], 100 * sum[c] / total
    printf "%-58s %9d %6.1f%%\n", "other", other, 100 * other / total
    printf "%-58s %9d\n", "total", total
  }' "$1"
