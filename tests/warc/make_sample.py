#!/usr/bin/env python3
"""Writes sample_corpus/warc/crawl-2024-03.warc.gz with warcio, the WARC library of the
Webrecorder project, as a crawler would: gzip per record, a request before each response.

It holds every kind of record a crawl has: warcinfo; three news pages (one sent with chunked
transfer encoding and gzip content encoding, one in ISO-8859-1 with a canonical address, one
captured twice with an update between the captures and no date of its own); an image, a
stylesheet and robots.txt; a redirect; a 404 page; a revisit; a metadata record.

    pip install warcio==1.8.1 && python3 tests/warc/make_sample.py
"""
import gzip
import io
import zlib
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OUT = Path(__file__).resolve().parents[2] / "sample_corpus" / "warc" / "crawl-2024-03.warc.gz"
SITE = "https://cronache.example.it"


def page(title, paragraphs, head="", section="Cronaca"):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="it"><head><meta charset="utf-8">
<title>{title} - Cronache Italiane</title>
<meta property="og:site_name" content="Cronache Italiane">
<meta property="article:section" content="{section}">{head}
<script>window.dataLayer = [];</script></head><body>
<nav><a href="/">Home</a> <a href="/cronaca">Cronaca</a> <a href="/cultura">Cultura</a></nav>
<div class="cookie-banner">Questo sito usa cookie tecnici e di profilazione. Accetta</div>
<main><article><h1>{title}</h1>{body}</article>
<ul class="related"><li><a href="/a">Le altre notizie del giorno dalla regione</a></li>
<li><a href="/b">Iscriviti alla newsletter delle Cronache</a></li></ul></main>
<footer>Cronache Italiane srl, tutti i diritti riservati</footer></body></html>"""


TRENI = page(
    "Treni regionali, in Toscana arrivano i nuovi convogli elettrici",
    [
        "Sulle linee regionali della Toscana entrano in servizio da lunedì i primi dieci convogli "
        "elettrici a due piani, con più posti a sedere e spazi per le biciclette.",
        "La Regione conta di sostituire entro la fine dell'anno i treni più vecchi sulla "
        "Firenze-Pisa e sulla Firenze-Arezzo, le tratte con più pendolari.",
        "I sindacati chiedono che l'arrivo dei nuovi mezzi sia accompagnato da nuove assunzioni "
        "di macchinisti e capitreno.",
    ],
    '<script type="application/ld+json">{"@type": "NewsArticle", '
    '"datePublished": "2024-03-04T08:30:00+01:00"}</script>',
)

ALLUVIONE = [
    page(
        "Alluvione in Romagna, i cantieri degli argini ripartono a primavera",
        [
            "A quasi un anno dall'alluvione, nei comuni della Romagna i cantieri per rinforzare "
            "gli argini dei fiumi ripartono con la bella stagione.",
            "I sindaci chiedono tempi certi per i rimborsi alle famiglie e alle imprese.",
        ],
    ),
    page(
        "Alluvione in Romagna, i cantieri degli argini ripartono a primavera",
        [
            "A quasi un anno dall'alluvione, nei comuni della Romagna i cantieri per rinforzare "
            "gli argini dei fiumi ripartono con la bella stagione.",
            "I sindaci chiedono tempi certi per i rimborsi alle famiglie e alle imprese.",
            "Aggiornamento: il commissario ha firmato in serata l'ordinanza che sblocca i primi "
            "fondi per le idrovore.",
        ],
    ),
]

MUSEO = page(
    "Il Museo Egizio di Torino apre una sala dedicata ai papiri",
    [
        "Il Museo Egizio di Torino inaugura una sala in cui sono esposti per la prima volta "
        "papiri rimasti finora nei depositi, restaurati negli ultimi tre anni.",
        "È una delle collezioni più ricche al mondo, spiega la direzione: la sala sarà "
        "visitabile anche la sera, il venerdì, fino a mezzanotte.",
    ],
    f'<link rel="canonical" href="{SITE}/cultura/2024/03/12/museo-egizio-papiri">',
    section="Cultura",
)


def chunked(data, size=200):
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def main():
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "wb") as out:
        writer = WARCWriter(out, gzip=True)

        def record(kind, uri, payload=b"", status=None, headers=(), date=None, **kw):
            http = None
            if status is not None:
                http = StatusAndHeaders(status, list(headers), protocol="HTTP/1.1")
            warc_headers = {"WARC-Date": date} if date else None
            rec = writer.create_warc_record(
                uri,
                kind,
                payload=io.BytesIO(payload),
                http_headers=http,
                warc_headers_dict=warc_headers,
                **kw,
            )
            writer.write_record(rec)
            return rec

        def request(uri, date):
            path = uri.split(SITE, 1)[-1] or "/"
            head = f"GET {path} HTTP/1.1\r\nHost: cronache.example.it\r\n\r\n".encode()
            record("request", uri, head, date=date)

        writer.write_record(
            writer.create_warcinfo_record(
                OUT.name, {"software": "warcio", "description": "emeroteca sample crawl"}
            )
        )
        html = [("Content-Type", "text/html; charset=utf-8")]

        uri = f"{SITE}/cronaca/treni-toscana"
        request(uri, "2024-03-04T10:00:00Z")
        encoded = chunked(gzip.compress(TRENI.encode()))
        record(
            "response", uri, encoded, "200 OK",
            html + [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
            date="2024-03-04T10:00:00Z",
        )

        for uri, kind, payload in [
            (f"{SITE}/img/treno.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64)),
            (f"{SITE}/css/site.css", "text/css", b"body { font-family: serif }"),
            (f"{SITE}/robots.txt", "text/plain", b"User-agent: *\nDisallow: /admin/\n"),
        ]:
            request(uri, "2024-03-04T10:00:01Z")
            record("response", uri, payload, "200 OK", [("Content-Type", kind)],
                   date="2024-03-04T10:00:01Z")

        uri = f"{SITE}/cronaca/alluvione-romagna"
        for capture, date in zip(ALLUVIONE, ["2024-03-05T09:00:00Z", "2024-03-06T21:00:00Z"]):
            request(uri, date)
            record("response", uri, capture.encode(), "200 OK", html, date=date)

        uri = f"{SITE}/cultura/museo-egizio-papiri?utm_source=newsletter"
        request(uri, "2024-03-12T18:00:00Z")
        latin = [("Content-Type", "text/html; charset=ISO-8859-1")]
        record("response", uri, MUSEO.replace('charset="utf-8"', 'charset="iso-8859-1"')
               .encode("latin-1"), "200 OK", latin, date="2024-03-12T18:00:00Z")

        uri = f"{SITE}/vecchio-indirizzo"
        request(uri, "2024-03-12T18:00:02Z")
        record("response", uri, b"", "301 Moved Permanently",
               [("Location", f"{SITE}/cronaca/treni-toscana"), ("Content-Length", "0")],
               date="2024-03-12T18:00:02Z")
        uri = f"{SITE}/pagina-che-non-esiste"
        request(uri, "2024-03-12T18:00:03Z")
        missing = page("Pagina non trovata", ["La pagina che cerchi non esiste più o è stata spostata."])
        record("response", uri, missing.encode(), "404 Not Found", html,
               date="2024-03-12T18:00:03Z")

        revisit = writer.create_revisit_record(
            f"{SITE}/cronaca/treni-toscana", digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            refers_to_uri=f"{SITE}/cronaca/treni-toscana", refers_to_date="2024-03-04T10:00:00Z",
            http_headers=StatusAndHeaders("200 OK", html, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2024-03-13T08:00:00Z"},
        )
        writer.write_record(revisit)
        record("metadata", f"{SITE}/cronaca/treni-toscana", b"outlinks: /a /b\n",
               date="2024-03-13T08:00:01Z", warc_content_type="text/plain")


if __name__ == "__main__":
    main()
