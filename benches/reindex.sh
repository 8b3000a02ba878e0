#!/usr/bin/env bash
# Re-indexing figures on a generated archive: first run, unchanged re-run, re-run after 1% of
# the files changed, and the article count after a `kill -9` in the middle of a run.
#
#   bash benches/reindex.sh [ARTICLES (default 20000)] [WORK_DIR (default a temporary folder)]
#
# Prints medians (first run: 3 runs; re-runs: 5 runs each).
set -euo pipefail
cd "$(dirname "$0")/.."
articles=${1:-20000}
work=${2:-$(mktemp -d)}
cargo build --release --quiet --bin emeroteca --example generate
bin=target/release/emeroteca
archive="$work/archive"
index="$work/index"

rm -rf "$archive" "$index"
target/release/examples/generate "$archive" "$articles" 1

seconds() { python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])'; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

first=$(for i in 1 2 3; do rm -rf "$index"; $bin index "$archive" --index "$index" --json --quiet | seconds; done | median)
count=$($bin stats --index "$index" --format json | field articles)
unchanged=$(for i in 1 2 3 4 5; do $bin index "$archive" --index "$index" --json --quiet | seconds; done | median)

# Change 1% of the .txt files (a paragraph appended), five times over different files.
mapfile -t txts < <(find "$archive" -name '*.txt' | sort)
step=$(( ${#txts[@]} / (articles / 100) ))
changed=$(for round in 1 2 3 4 5; do
  for ((i = round; i < ${#txts[@]}; i += step)); do
    printf '\nAggiornamento delle ore %d: la notizia è stata corretta.\n' "$round" >> "${txts[$i]}"
  done
  $bin index "$archive" --index "$index" --json --quiet | seconds
done | median)

# kill -9 once the first commit is on disk, then finish the run.
killed="$work/killed-index"
rm -rf "$killed"
$bin index "$archive" --index "$killed" --commit-every 2000 --quiet &
pid=$!
while [ ! -e "$killed/files.log" ]; do sleep 0.01; done
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
after_kill=$($bin stats --index "$killed" --format json | field articles)
resumed=$($bin index "$archive" --index "$killed" --json --quiet | field articles)
reference=$($bin stats --index "$index" --format json | field articles)

printf '%-44s %s\n' "articles generated" "$articles ($(du -sh "$archive" | cut -f1))"
printf '%-44s %s\n' "searchable articles (copies indexed once)" "$count"
printf '%-44s %s s\n' "first run (median of 3)" "$first"
printf '%-44s %s s (%s%% of the first)\n' "unchanged re-run (median of 5)" "$unchanged" "$(python3 -c "print(round(100*$unchanged/$first,1))")"
printf '%-44s %s s (%s%% of the first)\n' "re-run after 1% of files changed (median of 5)" "$changed" "$(python3 -c "print(round(100*$changed/$first,1))")"
printf '%-44s %s\n' "articles after kill -9 at the first commit" "$after_kill"
printf '%-44s %s (uninterrupted: %s)\n' "articles after the next run" "$resumed" "$reference"
