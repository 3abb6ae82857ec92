#!/usr/bin/env bash
# simple-rnn's epoch, paired: ROUNDS rounds, each running in turn the product with every given setting set and the
# PyTorch peer (../shared/peers/torch_imdb.py --model simplernn), so that every variant sees the same machine state.
# Full IMDB in data/aclImdb, local[2], seed 42. Run it on a quiet machine.
#
#   ROUNDS=3 submit-scripts/investigations/simple-rnn-seeds/paired-epochs.sh "af5=" \
#       "af2=reviewnet.train.averaging-frequency-by-architecture.simple-rnn=2"
#
# Each argument is NAME=space-separated settings. BASE_TREE=/path/to/another/checkout (built, with data/aclImdb)
# adds that code as variant "base" (e.g. `git worktree add /tmp/base <commit>` and `mvn -DskipTests package` there).
# Prints one line per run and the medians.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="$root/target/investigations/simple-rnn-epochs"
mkdir -p "$work"
lines="$work/runs-$(date -u +%Y%m%d-%H%M%S).txt"
run_product() { # name tree settings...
  local name="$1" tree="$2" r="$3"; shift 3
  local log="$work/$name-$r.log"
  (cd "$tree" && submit-scripts/submit.sh --master 'local[2]' jobs/compare.conf \
      reviewnet.output.path="$work/$name-output" reviewnet.prepared.path="$work/prepared-$name" \
      'reviewnet.train.architectures=[simple-rnn]' "$@" > "$log" 2>&1)
  echo "$name r=$r $(grep '^RESULT' "$log" | grep -o 'epoch_seconds=[0-9.]*\|accuracy=[0-9.]*' | tr '\n' ' ')" | tee -a "$lines"
}
for r in $(seq 1 "${ROUNDS:-3}"); do
  [ -n "${BASE_TREE:-}" ] && run_product base "$BASE_TREE" "$r"
  for variant in "$@"; do
    name="${variant%%=*}"; settings="${variant#*=}"
    # shellcheck disable=SC2086
    run_product "$name" "$root" "$r" $settings
  done
  log="$work/peer-$r.log"
  (cd "$root" && /usr/bin/python3 ../shared/peers/torch_imdb.py --model simplernn --data data/aclImdb > "$log" 2>&1)
  echo "peer r=$r $(grep RESULT_JSON "$log" | /usr/bin/python3 -c 'import sys, json; d = json.loads(sys.stdin.read().split(" ", 1)[1]); print("epoch_seconds=%.2f accuracy=%.4f" % (d["epochs"][-1]["train_seconds"], d["test_acc"]))')" | tee -a "$lines"
done
echo "medians (epoch seconds):"
for name in $(cut -d' ' -f1 "$lines" | sort -u); do
  values=$(grep "^$name " "$lines" | grep -o 'epoch_seconds=[0-9.]*' | cut -d= -f2 | sort -n)
  n=$(echo "$values" | wc -l)
  median=$(echo "$values" | awk -v n="$n" 'NR == int((n + 1) / 2) { a = $1 } NR == int(n / 2) + 1 { b = $1 } END { print (n % 2 ? a : (a + b) / 2) }')
  echo "  $name $median (runs: $(echo $values))"
done
