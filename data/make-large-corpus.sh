#!/usr/bin/env bash
# Generates a large labelled review corpus from the IMDB reviews, for scale benchmarks: the make-corpus job
# (jobs/make-corpus.conf, settings reviewnet.make-corpus in src/main/resources/reference.conf) through
# submit-scripts/submit.sh. Half the reviews are in train, half in test, each half balanced between neg and pos; a
# review of label y in split s recombines sentences of IMDB reviews of label y from IMDB split s, with about a fifth of
# filler sentences from the unlabelled reviews. The same seed gives the same corpus.
#
#   data/make-large-corpus.sh --reviews N [--out DIR] [--format parquet|folders] [--seed S] [--source ACLIMDB]
#                             [--overwrite] [--master URL] [key=value ...]
#
#   --reviews N    number of reviews, a positive multiple of 4
#   --out DIR      output folder (default target/large-corpus); an existing non-empty one needs --overwrite
#   --format F     parquet (columns id, split, label, text; default) or folders (DIR/{train,test}/{neg,pos}/<n>.txt)
#   --seed S       an integer (default 1)
#   --source DIR   extracted aclImdb folder with train/unsup (default data/aclImdb; data/fetch-imdb.sh --with-unsup)
#   --master URL   Spark master (default local[2])
#   key=value      any other setting, e.g. reviewnet.make-corpus.filler-share=0.1
#
# Relative paths are taken from the current folder. Exit status 2: bad arguments, settings or input.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

usage() { sed -n '8,19p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "make-large-corpus: $*" >&2; echo "usage:" >&2; usage >&2; exit 2; }
# A path as given on the command line, made absolute (the job runs from the project folder); URLs stay as they are.
absolute() { case "$1" in *://*|/*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

reviews="" out="" format="" seed="" source="" master='local[2]' overwrite=false
settings=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --overwrite) overwrite=true; shift ;;
    --reviews|--out|--format|--seed|--source|--master)
      [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"
      case "$1" in
        --reviews) reviews="$2" ;; --out) out="$2" ;; --format) format="$2" ;; --seed) seed="$2" ;;
        --source) source="$2" ;; --master) master="$2" ;;
      esac
      shift 2 ;;
    --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
    -*) die "unknown option '$1'" ;;
    reviewnet.*=*) settings+=("$1"); shift ;;
    *) die "unexpected argument '$1' (settings are reviewnet.KEY=VALUE)" ;;
  esac
done
[ -n "$reviews" ] || die "--reviews N is required"
[[ "$reviews" =~ ^[1-9][0-9]*$ ]] && [ $((reviews % 4)) -eq 0 ] \
  || die "--reviews must be a positive multiple of 4 (half train, half test, each balanced), got '$reviews'"
[ -z "$format" ] || [ "$format" = parquet ] || [ "$format" = folders ] \
  || die "--format must be parquet or folders, got '$format'"
[ -z "$seed" ] || [[ "$seed" =~ ^-?[0-9]+$ ]] || die "--seed must be an integer, got '$seed'"

args=("reviewnet.make-corpus.reviews=$reviews")
[ -z "$out" ] || args+=("reviewnet.make-corpus.output=$(absolute "$out")")
[ -z "$format" ] || args+=("reviewnet.make-corpus.format=$format")
[ -z "$seed" ] || args+=("reviewnet.make-corpus.seed=$seed")
[ -z "$source" ] || args+=("reviewnet.make-corpus.source=$(absolute "$source")")
! $overwrite || args+=("reviewnet.make-corpus.overwrite=true")

cd "$root"
exec submit-scripts/submit.sh --master "$master" jobs/make-corpus.conf "${args[@]}" \
  "${settings[@]+"${settings[@]}"}"
