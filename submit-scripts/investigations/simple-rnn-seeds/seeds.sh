#!/usr/bin/env bash
# simple-rnn's test accuracy over seeds: one compare run per seed (full IMDB in data/aclImdb, local[2], one epoch,
# defaults plus the given settings), one line per seed on stdout.
#
#   submit-scripts/investigations/simple-rnn-seeds/seeds.sh TAG "1 2 3 4 5" [key=value ...]
#   e.g. seeds.sh af2 "1 2 3 4 5" reviewnet.train.averaging-frequency-by-architecture.simple-rnn=2
#
# Output and logs in target/investigations/simple-rnn-seeds/<TAG>/; prepared data shared in .../prepared (training is
# deterministic for a seed, so these runs may share the machine with other work; their epoch seconds may not).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
tag="$1"; seeds="$2"; shift 2
work="$root/target/investigations/simple-rnn-seeds"
mkdir -p "$work/$tag"
for seed in $seeds; do
  log="$work/$tag/seed-$seed.log"
  "$root/submit-scripts/submit.sh" --master 'local[2]' "$root/jobs/compare.conf" \
    reviewnet.output.path="$work/$tag/output" reviewnet.prepared.path="$work/prepared" \
    'reviewnet.train.architectures=[simple-rnn]' reviewnet.train.seed="$seed" "$@" > "$log" 2>&1
  echo "$tag seed=$seed $(grep '^RESULT' "$log" | grep -o 'accuracy=[0-9.]*\|auc=[0-9.]*\|epoch_seconds=[0-9.]*' | tr '\n' ' ')"
done
