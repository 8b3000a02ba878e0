#!/usr/bin/env python3
"""The reference for benches/extraction.rs: trafilatura's text of every page of a benchmark
folder (`html/ID.html.gz`), one JSON object per line: {"id": …, "text": …}.

    python3 benches/extraction/trafilatura_reference.py PAGES > texts.jsonl
"""
import gzip
import json
import sys
from pathlib import Path

import trafilatura

for page in sorted(Path(sys.argv[1], "html").glob("*.html.gz")):
    text = trafilatura.extract(gzip.open(page).read()) or ""
    print(json.dumps({"id": page.name.removesuffix(".html.gz"), "text": text}))
