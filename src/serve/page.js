// The search page: reads the form, asks /search, draws hits, the month chart and the pager.
// Snippets arrive HTML-escaped with <mark> from the server; everything else is set as text.
"use strict";

const LABELS = {
  it: {
    query: "Cerca", placeholder: "Cerca nell'archivio (premi / )", search: "Cerca",
    filters: "Filtri", section: "Sezione", any: "tutte", since: "Dal", until: "Al",
    datePlaceholder: "AAAA-MM-GG", sort: "Ordine", relevance: "pertinenza",
    newest: "più recenti", oldest: "più vecchi", perMonth: "Articoli per mese",
    prev: "← Precedenti", next: "Successivi →", searching: "Ricerca…",
    hits: (n, ms) => `${n.toLocaleString("it")} ${n === 1 ? "articolo" : "articoli"} (${ms} ms)`,
    none: "Nessun articolo trovato.", relaxed: "Nessun articolo ha tutte le parole: ecco quelli con alcune.",
    suggestion: "Forse cercavi:", page: (p, n) => `pagina ${p} di ${n}`,
    about: (n) => `${n.toLocaleString("it")} articoli nell'archivio`, undated: "senza data",
    monthTitle: (m, n) => `${m}: ${n} articoli`, failed: "Errore:", loading: "Caricamento…",
  },
  en: {
    query: "Search", placeholder: "Search the archive (press / )", search: "Search",
    filters: "Filters", section: "Section", any: "all", since: "From", until: "To",
    datePlaceholder: "YYYY-MM-DD", sort: "Order", relevance: "relevance",
    newest: "newest", oldest: "oldest", perMonth: "Articles per month",
    prev: "← Previous", next: "Next →", searching: "Searching…",
    hits: (n, ms) => `${n.toLocaleString("en")} ${n === 1 ? "article" : "articles"} (${ms} ms)`,
    none: "No article found.", relaxed: "No article has every word: these have some of them.",
    suggestion: "Did you mean:", page: (p, n) => `page ${p} of ${n}`,
    about: (n) => `${n.toLocaleString("en")} articles in the archive`, undated: "undated",
    monthTitle: (m, n) => `${m}: ${n} articles`, failed: "Error:", loading: "Loading…",
  },
};
const PAGE_SIZE = 10;
// The form's fields, as the address and /search name them.
const FIELDS = ["q", "section", "since", "until", "sort"];
const $ = (id) => document.getElementById(id);
let lang = localStorage.getItem("emeroteca-lang") ||
  (((navigator.languages || [])[0] || navigator.language || "it").toLowerCase().startsWith("it")
    ? "it" : "en");
let total = 0;
let articles = null;

function t(key, ...args) {
  const label = LABELS[lang][key];
  return typeof label === "function" ? label(...args) : label;
}

function applyLanguage() {
  document.documentElement.lang = lang;
  $("lang").textContent = lang === "it" ? "EN" : "IT";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  if (articles !== null) $("about").textContent = t("about", articles);
}

// The page's state lives in its address, so a search can be bookmarked and shared.
function stateFromAddress() {
  const params = new URLSearchParams(location.search);
  for (const name of FIELDS) {
    $(name).value = params.get(name) ?? (name === "sort" ? "relevance" : "");
  }
  return Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
}

function formParams() {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = $(name).value.trim();
    if (value && !(name === "sort" && value === "relevance")) params.set(name, value);
  }
  return params;
}

function go(page) {
  const params = formParams();
  if (page > 1) params.set("page", page);
  history.pushState(null, "", params.toString() ? `?${params}` : "/");
  run(page);
}

function setStatus(text, isError) {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("error", Boolean(isError));
}

async function run(page) {
  const params = formParams();
  if (!params.get("q")) {
    $("results").replaceChildren();
    $("timeline").hidden = $("pager").hidden = true;
    setStatus("");
    return;
  }
  params.set("limit", PAGE_SIZE);
  params.set("offset", (page - 1) * PAGE_SIZE);
  params.set("facets", "true");
  setStatus(t("searching"));
  let answer;
  try {
    const response = await fetch(`/search?${params}`);
    answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
  } catch (error) {
    $("results").replaceChildren();
    $("timeline").hidden = $("pager").hidden = true;
    setStatus(`${t("failed")} ${error.message}`, true);
    return;
  }
  total = answer.total_hits;
  showStatus(answer);
  showHits(answer.hits);
  showChart(answer.facets ? answer.facets.month : {});
  showPager(page);
}

function showStatus(answer) {
  setStatus(answer.total_hits ? t("hits", answer.total_hits, answer.took_ms) : t("none"));
  const status = $("status");
  if (answer.relaxed) status.append(" ", t("relaxed"));
  if (answer.suggestion) {
    const fix = document.createElement("button");
    fix.type = "button";
    fix.textContent = answer.suggestion;
    fix.addEventListener("click", () => { $("q").value = answer.suggestion; go(1); });
    status.append(" ", t("suggestion"), " ", fix);
  }
}

function showHits(hits) {
  const items = hits.map((hit) => {
    const item = document.createElement("li");
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.innerHTML = hit.title_snippet || hit.id; // escaped by the server
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = [hit.date || t("undated"), hit.section, hit.path].filter(Boolean).join(" · ");
    const snippet = document.createElement("p");
    snippet.className = "snippet";
    snippet.innerHTML = hit.snippet; // escaped by the server
    const body = document.createElement("div");
    body.className = "body";
    details.append(summary, body);
    details.addEventListener("toggle", () => loadArticle(details, body, hit.id), { once: true });
    item.append(details, meta, snippet);
    return item;
  });
  $("results").replaceChildren(...items);
}

async function loadArticle(details, body, id) {
  if (!details.open) return;
  body.textContent = t("loading");
  try {
    const response = await fetch(`/articles/${encodeURIComponent(id)}`);
    const article = await response.json();
    body.textContent = response.ok ? article.body : article.error;
  } catch (error) {
    body.textContent = `${t("failed")} ${error.message}`;
  }
}

// One bar per month from the first to the last, empty months included, so gaps show.
function showChart(months) {
  const keys = Object.keys(months).filter((k) => /^\d{4}-\d{2}$/.test(k)).sort();
  $("timeline").hidden = keys.length < 2;
  if (keys.length < 2) return;
  const all = [];
  let [year, month] = keys[0].split("-").map(Number);
  const last = keys[keys.length - 1];
  for (;;) {
    const key = `${year}-${String(month).padStart(2, "0")}`;
    all.push(key);
    if (key >= last || all.length > 1200) break;
    month += 1;
    if (month > 12) { month = 1; year += 1; }
  }
  const most = Math.max(...keys.map((k) => months[k]));
  const bars = all.map((key) => {
    const count = months[key] || 0;
    const bar = document.createElement("button");
    bar.type = "button";
    bar.title = t("monthTitle", key, count);
    bar.setAttribute("aria-label", t("monthTitle", key, count));
    bar.style.height = `${Math.max(4, (100 * count) / most)}%`;
    if (!count) bar.className = "empty";
    bar.addEventListener("click", () => { $("since").value = key; $("until").value = key; go(1); });
    return bar;
  });
  const axis = document.createElement("div");
  axis.className = "axis";
  const from = document.createElement("span");
  from.textContent = all[0];
  const to = document.createElement("span");
  to.textContent = all[all.length - 1];
  axis.append(from, to);
  $("chart").replaceChildren(...bars);
  $("chart").after(axis);
  for (const old of document.querySelectorAll("#timeline .axis")) if (old !== axis) old.remove();
}

function showPager(page) {
  const pages = Math.ceil(total / PAGE_SIZE);
  $("pager").hidden = pages < 2;
  $("page").textContent = t("page", page, pages);
  $("prev").disabled = page <= 1;
  $("next").disabled = page >= pages;
  $("prev").onclick = () => { go(page - 1); $("q").focus(); };
  $("next").onclick = () => { go(page + 1); $("q").focus(); };
}

async function loadSections() {
  try {
    const stats = await (await fetch("/stats")).json();
    articles = stats.articles;
    $("about").textContent = t("about", articles);
    const wanted = new URLSearchParams(location.search).get("section");
    const sections = Object.entries(stats.sections).sort((a, b) => b[1] - a[1]);
    for (const [name, count] of sections) {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = `${name} (${count})`;
      $("section").append(option);
    }
    if (wanted) $("section").value = wanted;
  } catch {
    // The page still searches without the list of sections.
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  applyLanguage();
  $("lang").addEventListener("click", () => {
    lang = lang === "it" ? "en" : "it";
    localStorage.setItem("emeroteca-lang", lang);
    applyLanguage();
    run(stateFromAddress());
  });
  $("search").addEventListener("submit", (event) => { event.preventDefault(); go(1); });
  for (const name of ["section", "sort"]) $(name).addEventListener("change", () => go(1));
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) { event.preventDefault(); $("q").focus(); }
  });
  window.addEventListener("popstate", () => run(stateFromAddress()));
  await loadSections();
  run(stateFromAddress());
});
