#!/usr/bin/env python3
"""Prepares the relevance benchmark's data: real Italian text that nobody on the project wrote,
cut into articles, and known-item queries made from it deterministically.

    python3 benches/relevance/prepare.py WORK

Fetches three Debian packages with `apt-get download` (nothing is installed): the Italian GNOME
help (`gnome-user-docs`, its Mallard pages), the Italian installation guide
(`installation-guide-amd64`) and GIMP manual (`gimp-help-it`), their HTML pages, and the Italian
manual pages (`manpages-it`, roff).
Each page becomes one article (title + body) in WORK/corpus/*.jsonl. Other forms of words come
from Debian's Italian word list (`witalian`), never from a stemmer.

WORK/queries.tsv holds `kind<TAB>article id<TAB>query`, one known-item query a line, in kinds:
  exact        the title as written
  reinflected  the title with words moved to other forms found in the word list
  lazy         the title lower case, accents dropped, elided articles dropped, the other apostrophe
  pasted       the title with the punctuation of a pasted headline (`Word:`, ` - `, `[…]`, `?`)
  body         3 to 5 consecutive words of one sentence of the body
"""

import glob
import gzip
import html.parser
import json
import os
import random
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET

PACKAGES = [
    "gnome-user-docs",
    "installation-guide-amd64",
    "gimp-help-it",
    "manpages-it",
    "witalian",
]
QUERIES_PER_KIND = 300
SEED = 20261202

STOP = set(
    """il lo la i gli le un uno una di a da in con su per tra fra e o ma che non si se come
    del dello della dei degli delle al allo alla ai agli alle dal dallo dalla dai dagli dalle
    nel nello nella nei negli nelle sul sullo sulla sui sugli sulle è sono ed ad anche più
    questo questa questi queste quello quella può essere come""".split()
)


def fetch(work):
    debs = os.path.join(work, "debs")
    os.makedirs(debs, exist_ok=True)
    tree = os.path.join(work, "tree")
    for package in PACKAGES:
        if not glob.glob(os.path.join(debs, package + "_*.deb")):
            subprocess.run(["apt-get", "download", package], cwd=debs, check=True)
    if not os.path.isdir(tree):
        for deb in sorted(glob.glob(os.path.join(debs, "*.deb"))):
            subprocess.run(["dpkg-deb", "-x", deb, tree], check=True)
    return tree


def clean(text):
    return re.sub(r"\s+", " ", text).strip()


MALLARD = "{http://projectmallard.org/1.0/}"


def gnome_pages(tree):
    for path in sorted(glob.glob(os.path.join(tree, "usr/share/help/it/gnome-help/*.page"))):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            continue
        title = root.find(MALLARD + "title")
        if title is None:
            continue
        parts = []
        for child in root:
            if child.tag in (MALLARD + "info", MALLARD + "title"):
                continue
            parts.append(" ".join(child.itertext()))
        yield "gnome-" + os.path.basename(path)[:-5], clean("".join(title.itertext())), clean(
            "\n".join(parts)
        )


class Html(html.parser.HTMLParser):
    """A page's title and its text, without head, scripts and DocBook's navigation bars."""

    SKIP = {"script", "style", "head", "nav"}
    NAVIGATION = {"navheader", "navfooter"}

    def __init__(self):
        super().__init__()
        self.title, self.body, self.in_title = "", [], False
        self.skipping, self.nesting = None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if self.skipping:
            self.nesting += tag == self.skipping
        elif tag in self.SKIP or dict(attrs).get("class") in self.NAVIGATION:
            self.skipping, self.nesting = tag, 1

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if self.skipping == tag:
            self.nesting -= 1
            if not self.nesting:
                self.skipping = None

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif not self.skipping:
            self.body.append(data)


def html_pages(pattern, prefix):
    def pages(tree):
        for path in sorted(glob.glob(os.path.join(tree, pattern))):
            parser = Html()
            with open(path, encoding="utf-8", errors="replace") as f:
                parser.feed(f.read())
            # "3.3. Soddisfare i requisiti" → "Soddisfare i requisiti"
            title = re.sub(r"^[A-Z]?[\d.]+\s+", "", clean(parser.title))
            body = clean(" ".join(parser.body))
            for heading in (clean(parser.title), title):
                if body.startswith(heading):
                    body = body[len(heading) :].strip()
            yield prefix + os.path.basename(path)[:-5], title, body

    return pages


ROFF_ESCAPES = [
    (r"\\f(\[[^\]]*\]|\(..|.)", ""),
    (r"\\\((aq|cq)", "'"),
    (r"\\\((lq|rq|dq)", '"'),
    (r"\\\(em|\\\(en", "—"),
    (r"\\\(.." , ""),
    (r"\\\[[^\]]*\]", ""),
    (r"\\[-]", "-"),
    (r"\\[&|^%c]", ""),
    (r"\\e", "\\\\"),
    (r"\\s[-+]?\d", ""),
    (r"\\(.)", r"\1"),
]


def roff_text(line):
    for pattern, replacement in ROFF_ESCAPES:
        line = re.sub(pattern, replacement, line)
    return line


def man_pages(tree):
    for path in sorted(glob.glob(os.path.join(tree, "usr/share/man/it/man*/*.gz"))):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        section, name_line, body = None, [], []
        for line in lines:
            if line.startswith(('.\\"', "'\\\"")):
                continue
            if line.startswith("."):
                macro, _, rest = line[1:].partition(" ")
                if macro == "SH":
                    section = roff_text(rest).strip('"').upper()
                    continue
                if macro in ("B", "I", "BI", "BR", "IR", "RB", "RI", "IB", "SS", "TP", "IP"):
                    line = rest.replace('"', "")
                else:
                    continue
            text = roff_text(line)
            if section in ("NOME", "NAME"):
                name_line.append(text)
            else:
                body.append(text)
        name = clean(" ".join(name_line))
        if " - " not in name:
            continue
        # "ls - elenca il contenuto delle directory": the description is the title.
        title = name.split(" - ", 1)[1]
        yield "man-" + os.path.basename(path)[:-3], clean(title[:1].upper() + title[1:]), clean(" ".join(body))


SOURCES = [
    ("gnome", gnome_pages),
    ("guide", html_pages("usr/share/doc/installation-guide-amd64/it/*.html", "guide-")),
    ("gimp", html_pages("usr/share/gimp/2.0/help/it/*.html", "gimp-")),
    ("man", man_pages),
]
ENGLISH = {"the", "to", "your", "of", "and", "a", "is", "how", "with", "on", "you"}


def italian(text):
    words = text.lower().split()
    return sum(w in STOP for w in words) > sum(w in ENGLISH for w in words)


def articles(tree):
    seen, out = set(), []
    for source, pages in SOURCES:
        for id, title, body in pages(tree):
            key = title.lower()
            short = len(title.split()) < 2 or len(body.split()) < 30
            if short or key in seen or not italian(title + " " + body[:2000]):
                continue
            seen.add(key)
            out.append({"id": id, "title": title, "body": body, "source": source})
    return out


def fold(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


# Italian inflection: an ending, and the endings of other forms of the same word.
ENDINGS = [
    ("zione", ["zioni"]), ("zioni", ["zione"]),
    ("are", ["a", "ano", "ato", "ando", "i"]), ("ere", ["e", "ono", "uto", "endo"]),
    ("ire", ["e", "ono", "ito", "endo", "isce"]),
    ("ano", ["are", "a", "ato"]), ("ono", ["ere", "ire", "e"]),
    ("ato", ["are", "ati", "ata", "ate", "a"]), ("ata", ["ato", "ate", "are"]),
    ("ati", ["ato", "are"]), ("ate", ["ata", "are"]), ("ito", ["ire", "iti", "ita"]),
    ("uto", ["ere", "uti", "uta"]), ("ando", ["are", "a"]), ("endo", ["ere", "ire", "e"]),
    ("co", ["chi", "ci"]), ("ca", ["che"]), ("go", ["ghi"]), ("ga", ["ghe"]),
    ("io", ["i"]), ("o", ["i", "a"]), ("a", ["e", "are", "ano"]), ("e", ["i", "ere", "ire"]),
    ("i", ["o", "e"]),
]


def other_forms(word, words):
    lower = word.lower()
    forms = []
    for ending, others in ENDINGS:
        if lower.endswith(ending) and len(lower) - len(ending) >= 3:
            root = lower[: -len(ending)]
            forms += [root + o for o in others if root + o in words and root + o != lower]
    return forms


def queries(docs, words, rng):
    out = []
    title_docs = rng.sample(docs, min(QUERIES_PER_KIND, len(docs)))
    for doc in title_docs:
        out.append(("exact", doc["id"], doc["title"]))
    for doc in rng.sample(docs, len(docs)):
        if sum(k == "reinflected" for k, _, _ in out) >= QUERIES_PER_KIND:
            break
        tokens, changed = doc["title"].split(), 0
        for i, token in enumerate(tokens):
            core = token.strip(".,;:!?()[]\"«»")
            if core.lower() in STOP or not core.isalpha():
                continue
            forms = other_forms(core, words)
            if forms and rng.random() < 0.7:
                form = rng.choice(forms)
                tokens[i] = token.replace(core, form if core.islower() else form.capitalize())
                changed += 1
        if changed:
            out.append(("reinflected", doc["id"], " ".join(tokens)))
    for doc in title_docs:
        text = re.sub(r"\b(l|dell|all|dall|nell|sull|un|quest|d)['’]", "", doc["title"], flags=re.I)
        text = fold(text.lower()).replace("'", "’") if "'" in text else fold(text.lower()).replace("’", "'")
        out.append(("lazy", doc["id"], text))
    for doc in title_docs:
        tokens = doc["title"].split()
        tokens[0] = tokens[0] + ":"
        if len(tokens) > 3:
            tokens.insert(len(tokens) // 2 + 1, rng.choice(["-", "–"]))
        last = rng.choice(["[{}]", "({})", "{}?", "{}!", "«{}»", "{} /"])
        tokens[-1] = last.format(tokens[-1])
        out.append(("pasted", doc["id"], " ".join(tokens)))
    for doc in rng.sample(docs, min(QUERIES_PER_KIND, len(docs))):
        sentences = [s.split() for s in re.split(r"(?<=[.!?])\s+", doc["body"]) if len(s.split()) >= 6]
        if not sentences:
            continue
        sentence = rng.choice(sentences)
        n = rng.randint(3, 5)
        start = rng.randint(0, len(sentence) - n)
        words_ = [w.strip(".,;:!?()[]\"«»") for w in sentence[start : start + n]]
        # A known-item query names something: at least one word that is not a stop word.
        if any(len(w) > 3 and w.lower() not in STOP for w in words_):
            out.append(("body", doc["id"], " ".join(w for w in words_ if w)))
    return out


def main():
    work = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "/tmp/emeroteca-relevance")
    tree = fetch(work)
    docs = articles(tree)
    with open(os.path.join(tree, "usr/share/dict/italian"), encoding="utf-8", errors="replace") as f:
        words = {line.strip().lower() for line in f}
    corpus = os.path.join(work, "corpus")
    os.makedirs(corpus, exist_ok=True)
    for source, _ in SOURCES:
        with open(os.path.join(corpus, source + ".jsonl"), "w", encoding="utf-8") as f:
            for doc in docs:
                if doc["source"] == source:
                    f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    made = queries(docs, words, random.Random(SEED))
    with open(os.path.join(work, "queries.tsv"), "w", encoding="utf-8") as f:
        for kind, id, text in made:
            f.write(f"{kind}\t{id}\t{text.replace(chr(9), ' ')}\n")
    kinds = {}
    for kind, _, _ in made:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"{len(docs)} articles, queries: {kinds}", file=sys.stderr)


if __name__ == "__main__":
    main()
