#!/usr/bin/env bash
# Rebuilds schema/lemmas_it.fst and schema/lemmas_it.txt from spaCy's Italian lemma lookup table
# (spacy-lookups-data on PyPI, MIT licence: schema/LEMMAS_LICENSE). Run from the repository.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pip download --no-deps --dest "$work" "spacy-lookups-data==1.0.5"
unzip -q -o "$work"/spacy_lookups_data-*.whl 'spacy_lookups_data/data/it_lemma_lookup.json.gz' \
    'spacy_lookups_data/data/it_license.txt' -d "$work"
cargo run --release --example lemmas -- "$work/spacy_lookups_data/data/it_lemma_lookup.json.gz" schema
