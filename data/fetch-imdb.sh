#!/usr/bin/env bash
# Fetches the Large Movie Review Dataset (Maas et al., ACL 2011) and extracts it into data/aclImdb (git-ignored).
#   data/fetch-imdb.sh                      download aclImdb_v1.tar.gz from Stanford
#   IMDB_TARBALL=/path/aclImdb_v1.tar.gz data/fetch-imdb.sh   use a local copy instead
#   data/fetch-imdb.sh --with-unsup         also the 50,000 unlabelled reviews (train/unsup), which only
#                                           data/make-large-corpus.sh reads; adds them to an existing data/aclImdb
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
expected_sha256="c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"

with_unsup=false
case "${1:-}" in
  --with-unsup) with_unsup=true ;;
  "") ;;
  *) echo "usage: data/fetch-imdb.sh [--with-unsup]" >&2; exit 2 ;;
esac
if [ -f "$here/aclImdb/.complete" ] && { ! $with_unsup || [ -d "$here/aclImdb/train/unsup" ]; }; then
  echo "data/aclImdb is already there"; exit 0
fi
tarball="${IMDB_TARBALL:-}"
if [ -z "$tarball" ]; then
  tarball="$here/aclImdb_v1.tar.gz"
  if [ ! -f "$tarball" ]; then
    echo "downloading $url"
    curl -fL --retry 3 -o "$tarball.part" "$url"
    mv "$tarball.part" "$tarball"
  fi
fi
[ -f "$tarball" ] || { echo "no such file: $tarball" >&2; exit 2; }
actual=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$actual" != "$expected_sha256" ]; then
  echo "warning: $tarball has SHA-256 $actual, not that of the official download ($expected_sha256)" >&2
fi
rm -rf "$here/aclImdb.part"
mkdir -p "$here/aclImdb.part"
if [ -f "$here/aclImdb/.complete" ]; then
  # only the unlabelled reviews are missing
  tar -xzf "$tarball" -C "$here/aclImdb.part" --exclude='*.feat' aclImdb/train/unsup
  mv "$here/aclImdb.part/aclImdb/train/unsup" "$here/aclImdb/train/unsup"
  rm -rf "$here/aclImdb.part"
  echo "extracted train/unsup into $here/aclImdb"; exit 0
fi
unsup=(--exclude='aclImdb/train/unsup')
! $with_unsup || unsup=()
tar -xzf "$tarball" -C "$here/aclImdb.part" "${unsup[@]+"${unsup[@]}"}" --exclude='*.feat'
rm -rf "$here/aclImdb"
mv "$here/aclImdb.part/aclImdb" "$here/aclImdb"
rmdir "$here/aclImdb.part"
touch "$here/aclImdb/.complete"
echo "extracted into $here/aclImdb"
