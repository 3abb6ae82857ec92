#!/usr/bin/env bash
# The paired benchmark: ROUNDS rounds (default 3), each running in turn submit-scripts/bench.sh of another checkout
# (BASE_TREE, optional: the code before a change, built with `mvn -B -DskipTests package`, with data/aclImdb) and
# this checkout's bench.sh (in alternating order), then the PyTorch peer (../shared/peers/torch_imdb.py) for the five notebook networks, so
# that every variant sees the same machine state. Full IMDB in data/aclImdb, local[2], one epoch, defaults (extra
# key=value arguments go to both bench runs). Prints one line per run and, per architecture, the median epoch
# seconds and accuracy of each variant and the ratios to the peer's median. Run it on a quiet machine.
#
#   BASE_TREE=/tmp/base ROUNDS=3 submit-scripts/paired-bench.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
work="$root/target/paired-bench"
mkdir -p "$work"
lines="$work/runs-$(date -u +%Y%m%d-%H%M%S).txt"
declare -A peer_model=([simple-rnn]=simplernn [lstm]=lstm [gru]=gru [conv-gru]=convgru [conv]=conv)
archs="simple-rnn lstm gru conv-gru conv"
run_bench() { # name tree round [key=value ...]
  local name="$1" tree="$2" r="$3"; shift 3
  local log="$work/$name-$r.log"
  (cd "$tree" && submit-scripts/bench.sh --master 'local[2]' "$@" > "$log" 2>&1)
  grep '^BENCH architecture=' "$log" | while read -r line; do
    a=$(echo "$line" | grep -o 'architecture=[^ ]*' | cut -d= -f2)
    echo "$name $a r=$r epoch_seconds=$(echo "$line" | grep -o 'epoch_seconds_median=[0-9.]*' | cut -d= -f2) accuracy=$(echo "$line" | grep -o 'accuracy_median=[0-9.]*' | cut -d= -f2)"
  done | tee -a "$lines"
}
for r in $(seq 1 "${ROUNDS:-3}"); do
  # the order alternates (base first in odd rounds, last in even ones): the machine drifts within a round
  if [ $((r % 2)) = 1 ]; then
    [ -n "${BASE_TREE:-}" ] && run_bench base "$BASE_TREE" "$r" "$@"
    run_bench now "$root" "$r" "$@"
  else
    run_bench now "$root" "$r" "$@"
    [ -n "${BASE_TREE:-}" ] && run_bench base "$BASE_TREE" "$r" "$@"
  fi
  for a in $archs; do
    log="$work/peer-$a-$r.log"
    (cd "$root" && /usr/bin/python3 ../shared/peers/torch_imdb.py --model "${peer_model[$a]}" --data data/aclImdb > "$log" 2>&1)
    echo "peer $a r=$r $(grep RESULT_JSON "$log" | /usr/bin/python3 -c 'import sys, json; d = json.loads(sys.stdin.read().split(" ", 1)[1]); print("epoch_seconds=%.2f accuracy=%.4f" % (d["epochs"][-1]["train_seconds"], d["test_acc"]))')" | tee -a "$lines"
  done
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "medians over ${ROUNDS:-3} rounds (epoch seconds, accuracy; ratio = epoch / peer's epoch):"
for a in $archs; do
  peer=$(grep "^peer $a " "$lines" | grep -o 'epoch_seconds=[0-9.]*' | cut -d= -f2 | median)
  for name in base now peer; do
    grep -q "^$name $a " "$lines" || continue
    e=$(grep "^$name $a " "$lines" | grep -o 'epoch_seconds=[0-9.]*' | cut -d= -f2 | median)
    acc=$(grep "^$name $a " "$lines" | grep -o 'accuracy=[0-9.]*' | cut -d= -f2 | median)
    runs=$(grep "^$name $a " "$lines" | grep -o 'epoch_seconds=[0-9.]*' | cut -d= -f2 | tr '\n' ' ')
    printf 'PAIRED architecture=%s variant=%s epoch_seconds=%s accuracy=%s ratio_to_peer=%.2f runs=[%s]\n' \
      "$a" "$name" "$e" "$acc" "$(echo "$e / $peer" | bc -l)" "${runs% }"
  done
done
