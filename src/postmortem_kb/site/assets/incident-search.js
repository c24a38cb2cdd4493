/* postmortem-kb incident search: a faceted search over the prebuilt catalog.
 *
 * The catalog (one record per incident) and a lunr index built at build time by
 * lunr.py are fetched once; the query runs against the index, facets filter the
 * catalog exactly, and the whole state lives in the URL so a search can be shared,
 * bookmarked and walked back with the browser's back button.
 *
 * Every value from the catalog is written with textContent, never as HTML.
 * Works with Material's instant navigation (document$) and without it.
 */
(function () {
  "use strict";

  var FACETS = [
    { key: "severity", label: "Severity", multi: true },
    { key: "status", label: "Status", multi: true },
    { key: "cause", label: "Root cause", multi: true },
    { key: "service", label: "Services", multi: true, field: "services" },
    { key: "tag", label: "Tags", multi: true, field: "tags" },
    { key: "near_miss", label: "Near-miss", values: ["yes", "no"] },
    { key: "open", label: "Open action items", values: ["yes", "no"] }
  ];
  var PAGE = 50;  // results rendered at once; the rest behind "Show more"
  var cache = {};

  function loadScript(url) {
    if (window.lunr) return Promise.resolve();
    if (!cache.lunr) {
      cache.lunr = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = url;
        script.onload = resolve;
        script.onerror = function () { reject(new Error("cannot load " + url)); };
        document.head.appendChild(script);
      });
    }
    return cache.lunr;
  }

  function fetchJson(url) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(url + ": HTTP " + response.status);
        return response.json();
      });
    }
    return cache[url];
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") node.textContent = attributes[name];
      else node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function valuesOf(incident, facet) {
    switch (facet.key) {
      case "service": return incident.services;
      case "tag": return incident.tags;
      case "near_miss": return [incident.near_miss ? "yes" : "no"];
      case "open": return [incident.open_actions > 0 ? "yes" : "no"];
      default: return incident[facet.key] ? [incident[facet.key]] : [];
    }
  }

  /* --- state <-> URL ------------------------------------------------------ */

  function readState() {
    var params = new URLSearchParams(window.location.search);
    // Not "q": Material opens its own search dialog for a "q" parameter.
    var state = { q: params.get("query") || "", sort: params.get("sort") || "relevance",
                  from: params.get("from") || "", to: params.get("to") || "", filters: {} };
    FACETS.forEach(function (facet) { state.filters[facet.key] = params.getAll(facet.key); });
    return state;
  }

  function writeState(state, push) {
    var params = new URLSearchParams();
    if (state.q) params.set("query", state.q);
    FACETS.forEach(function (facet) {
      state.filters[facet.key].forEach(function (value) { params.append(facet.key, value); });
    });
    if (state.from) params.set("from", state.from);
    if (state.to) params.set("to", state.to);
    if (state.sort !== "relevance") params.set("sort", state.sort);
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (url === window.location.pathname + window.location.search + window.location.hash) return;
    window.history[push ? "pushState" : "replaceState"](null, "", url);
  }

  /* --- searching ----------------------------------------------------------- */

  function search(data, state) {
    var incidents = data.catalog.incidents;
    var query = state.q.trim();
    var scored;
    if (!query) {
      scored = incidents.map(function (incident) { return { incident: incident, score: 0 }; });
    } else {
      scored = byId(incidents, query) || byWords(data, query);
    }
    return scored.filter(function (s) { return inDateRange(s.incident, state); });
  }

  /* An incident id, or the beginning of one being typed ("INC-2026-0"), finds those
   * incidents and nothing else: ids are not in the word index, so "INC-2026-002" never
   * lists every incident with "2026" in it. */
  function byId(incidents, query) {
    var wanted = query.toUpperCase();
    if (/\s/.test(wanted)) return null;
    var found = incidents.filter(function (i) { return i.id.toUpperCase() === wanted; });
    if (!found.length && /\d/.test(wanted) && wanted.indexOf("-") >= 0) {
      found = incidents.filter(function (i) { return i.id.toUpperCase().indexOf(wanted) === 0; });
    }
    if (!found.length) return null;
    return found.map(function (i) {
      return { incident: i, score: Infinity, why: function () { return "incident id"; } };
    });
  }

  var FIELD_LABELS = { title: "title", tags: "tags", services: "services", cause: "root cause",
                       text: "report text" };
  var WORD_FIELDS = Object.keys(FIELD_LABELS);  // every field but the phrases

  /* The hits of one lunr query, by a key naming it: the index never changes, and each
   * keystroke, filter or sort runs the query's words again, though most of them (every
   * finished word, every phrase) are the ones of the last keystroke. Hits are only read.
   * Kept per index: a page shown again by instant navigation loads its index again. */
  var MEMO_LIMIT = 500;
  var memos = new WeakMap();

  function queried(index, key, build) {
    var memo = memos.get(index);
    if (!memo) memos.set(index, (memo = new Map()));
    var hits = memo.get(key);
    if (!hits) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      hits = index.query(build);
      memo.set(key, hits);
    }
    return hits;
  }

  /* Words rank as a search engine ranks them: incidents with every word of the query
   * first, then those with fewer (a "partial" match, shown after a divider), and within
   * each group by lunr's BM25 score. Each word is looked up on its own, so every result
   * knows which words it matched, and where. Stop words ("the", "our") are not counted.
   * Two words of the query that an incident holds side by side (a phrase of the query,
   * "split brain") count as one more term matched, as the word pairs (shingles) of a search
   * engine's index do: among whole matches they come first among equals, and a partial match
   * with "split brain" side by side ranks with (and before) one that has a third word
   * elsewhere. */
  function byWords(data, query) {
    var index = data.index;
    var typed = window.lunr.tokenizer(query).map(function (t) { return t.toString(); });
    var words = typed.filter(function (word) { return window.lunr.stopWordFilter(word); });
    // A stop word alone may be the start of a word being typed ("we" of "webhooks").
    if (!words.length && typed.length) words = typed.slice(-1);
    var found = {};
    words.forEach(function (word, position) {
      var last = position === words.length - 1;
      var known = isWhole(index, word);
      var exact = queried(index, "exact " + word, function (q) { q.term(word, { boost: 10 }); });
      // Only the word being typed (the last) is also a prefix; a finished word is whole.
      var prefixed = last ? queried(index, "prefix " + word, function (q) {
        q.term(word, { wildcard: window.lunr.Query.wildcard.TRAILING, boost: 1,
                       fields: WORD_FIELDS });
        if (!known) halfTyped(q, word);
      }) : [];
      var counted = {};
      exact.forEach(function (hit) { counted[hit.ref] = true; });
      [exact, prefixed].forEach(function (hits, prefix) {
        hits.forEach(function (hit) {
          var entry = found[hit.ref] || (found[hit.ref] = { score: 0, words: {} });
          entry.score += hit.score;
          if (counted[hit.ref] || (prefix && !known)) {
            (entry.words[word] || (entry.words[word] = [])).push(hit);
          }
        });
      });
    });
    var together = phrasesFound(index, typed);
    var incidents = data.catalog.incidents;
    return Object.keys(found).map(function (ref) {
      var entry = found[ref];
      var matched = words.filter(function (w) { return entry.words[w]; });
      var phrases = together[ref] || [];
      return { incident: incidents[Number(ref)], score: entry.score, matched: matched.length,
               phrases: phrases.length, partial: matched.length < words.length,
               why: function () { return explain(words, entry.words, phrases); } };
    });
  }
  /* For each incident, the phrases of the query (two words typed side by side, no stop
   * word between) that it holds side by side too. The index holds each report's telling
   * phrases as single terms, its two stems joined by "_" (catalog.PHRASE_JOINER). */
  function phrasesFound(index, typed) {
    var together = {};
    var stemOf = function (word) {
      return window.lunr.stopWordFilter(word) ? index.pipeline.runString(word)[0] : null;
    };
    for (var i = 0; i + 1 < typed.length; i++) {
      var first = stemOf(typed[i]);
      var second = stemOf(typed[i + 1]);
      if (!first || !second) continue;
      var phrase = typed[i] + " " + typed[i + 1];
      queried(index, "phrase " + first + "_" + second, function (q) {
        q.term(first + "_" + second, { fields: ["phrases"] });
      }).forEach(function (hit) {
        (together[hit.ref] || (together[hit.ref] = [])).push(phrase);
      });
    }
    return together;
  }

  function fieldsOf(hit) {
    var fields = [];
    var terms = hit.matchData.metadata;
    Object.keys(terms).forEach(function (term) {
      Object.keys(terms[term]).forEach(function (field) {
        var label = FIELD_LABELS[field] || field;
        if (fields.indexOf(label) < 0) fields.push(label);
      });
    });
    return fields;
  }

  /* Why a result matched, in words: "regex in title, tags; cpu in root cause; not: spike;
   * side by side: rate limit". Worked out only for the results shown, from the hits each
   * word had. */
  function explain(words, hits, phrases) {
    var parts = [];
    var missing = [];
    words.forEach(function (word) {
      if (!hits[word]) { missing.push(word); return; }
      var fields = [];
      hits[word].forEach(function (hit) {
        fieldsOf(hit).forEach(function (f) { if (fields.indexOf(f) < 0) fields.push(f); });
      });
      parts.push(word + " in " + fields.join(", "));
    });
    if (missing.length) parts.push("not: " + missing.join(", "));
    if (phrases && phrases.length) parts.push("side by side: " + phrases.join(", "));
    return parts.join("; ");
  }

  /* Results follow each keystroke, so the last word may be half typed, and the index
   * holds stems: "certifica" runs past "certif" (the stem of "certificate"), and the
   * stemmer makes nothing useful of it. Unless its stem is a term of the index (a whole
   * word), the word as typed is also tried as a prefix, unstemmed, and its beginnings
   * of MIN_STEM letters or more as whole terms, weakly. */
  var MIN_STEM = 4;

  function isWhole(index, word) {
    return index.pipeline.runString(word).some(function (stem) {
      return Object.prototype.hasOwnProperty.call(index.invertedIndex, stem);
    });
  }

  function halfTyped(q, token) {
    q.term(token, { wildcard: window.lunr.Query.wildcard.TRAILING, usePipeline: false, boost: 1,
                    fields: WORD_FIELDS });
    for (var end = token.length - 1; end >= MIN_STEM; end--) {
      q.term(token.slice(0, end), { usePipeline: false, boost: 0.5, fields: WORD_FIELDS });
    }
  }

  function inDateRange(incident, state) {
    if (state.from && (!incident.date || incident.date < state.from)) return false;
    if (state.to && (!incident.date || incident.date > state.to)) return false;
    return true;
  }

  /* The facets with a value ticked: the only ones a result must match. */
  function activeFacets(state) {
    return FACETS.filter(function (facet) { return state.filters[facet.key].length; });
  }

  function matches(incident, state, except, active) {
    return (active || activeFacets(state)).every(function (facet) {
      if (facet.key === except) return true;
      var have = valuesOf(incident, facet);
      return state.filters[facet.key].some(function (value) { return have.indexOf(value) >= 0; });
    });
  }

  /* The terms of the query a result holds: its words, and its phrases (see byWords). */
  function terms(result) {
    return (result.matched || 0) + (result.phrases || 0);
  }

  function sortResults(results, state) {
    var byDate = function (a, b) {
      return a.incident.date < b.incident.date ? 1 : a.incident.date > b.incident.date ? -1
        : a.incident.id < b.incident.id ? -1 : 1;
    };
    if (state.sort === "date" || !state.q.trim()) return results.sort(byDate);
    return results.sort(function (a, b) {
      return (a.partial ? 1 : 0) - (b.partial ? 1 : 0) ||
        terms(b) - terms(a) || (b.phrases || 0) - (a.phrases || 0) ||
        b.score - a.score || byDate(a, b);
    });
  }

  /* --- rendering ------------------------------------------------------------ */

  function highlight(text, query) {
    var fragment = document.createDocumentFragment();
    var words = query.toLowerCase().split(/[\s\-]+/).filter(function (w) { return w.length > 1; });
    if (!words.length) { fragment.appendChild(document.createTextNode(text)); return fragment; }
    var escaped = words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var pattern = new RegExp("(" + escaped.join("|") + ")", "gi");
    text.split(pattern).forEach(function (part, i) {
      fragment.appendChild(i % 2 ? el("mark", { text: part }) : document.createTextNode(part));
    });
    return fragment;
  }

  function renderFacets(root, data, state, results, onChange) {
    var container = root.querySelector(".pmkb-facets");
    container.textContent = "";
    // Counted over every result for each facet (a facet's count ignores its own ticks):
    // with nothing ticked elsewhere (as while typing), no result is left out.
    var active = activeFacets(state);
    FACETS.forEach(function (facet) {
      var counts = {};
      var others = active.filter(function (f) { return f.key !== facet.key; });
      results.forEach(function (r) {
        if (others.length && !matches(r.incident, state, facet.key, others)) return;
        valuesOf(r.incident, facet).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      var values = facet.values || (facet.key === "severity" ? data.catalog.severities
        : facet.key === "status" ? data.catalog.statuses : Object.keys(counts).sort());
      var selected = state.filters[facet.key];
      selected.forEach(function (v) { if (values.indexOf(v) < 0) values = values.concat([v]); });
      var fieldset = el("fieldset", { "class": "pmkb-facet", "data-facet": facet.key },
                        [el("legend", { text: facet.label })]);
      values.forEach(function (value) {
        var id = "pmkb-" + facet.key + "-" + value.replace(/[^A-Za-z0-9_-]/g, "_");
        var box = el("input", { type: "checkbox", id: id, value: value });
        box.checked = selected.indexOf(value) >= 0;
        box.addEventListener("change", function () {
          var list = state.filters[facet.key].filter(function (v) { return v !== value; });
          if (box.checked) list.push(value);
          state.filters[facet.key] = list;
          onChange(true);
        });
        var count = counts[value] || 0;
        // Nothing to narrow to: a zero-count value is disabled (unless it is selected,
        // so it can still be cleared).
        box.disabled = !count && !box.checked;
        fieldset.appendChild(el("div", { "class": "pmkb-facet-value" + (count ? "" : " pmkb-zero") }, [
          box, el("label", { "for": id }, [
            document.createTextNode(value + " "),
            el("span", { "class": "pmkb-count", "data-count": String(count), text: "(" + count + ")" })
          ])
        ]));
      });
      container.appendChild(fieldset);
    });
  }

  function renderResults(root, state, results, onClear) {
    var list = root.querySelector(".pmkb-results");
    var status = root.querySelector(".pmkb-status");
    list.textContent = "";
    status.textContent = results.length === 1 ? "1 incident" : results.length + " incidents";
    if (!results.length) {
      var clear = el("button", { type: "button", "class": "md-button pmkb-clear",
                                 text: "Clear search and filters" });
      clear.addEventListener("click", onClear);
      list.appendChild(el("li", { "class": "pmkb-empty" }, [
        el("p", { text: "No incident matches this search and these filters." }), clear
      ]));
      return;
    }
    var base = new URL(root.getAttribute("data-catalog"), window.location.href);
    var shown = 0;
    function more() {
      // Rendering is the slow part at thousands of matches: show a page at a time.
      var next = results.slice(shown, shown + PAGE);
      shown += next.length;
      var old = list.querySelector(".pmkb-more");
      if (old) old.parentNode.removeChild(old);
      next.forEach(function (result, i) {
        var previous = results[shown - next.length + i - 1];
        if (result.partial && state.sort !== "date" && (!previous || !previous.partial)) {
          list.appendChild(el("li", { "class": "pmkb-partial", role: "separator",
                                      text: "Incidents with only some of the words" }));
        }
        list.appendChild(resultItem(result, state, base));
      });
      if (shown < results.length) {
        var button = el("button", { type: "button", "class": "md-button pmkb-more-button",
                                    text: "Show " + Math.min(PAGE, results.length - shown) +
                                          " more of " + (results.length - shown) });
        button.addEventListener("click", function () {
          var first = shown;
          more();
          var item = list.children[first];
          if (item) item.querySelector("a").focus();
        });
        list.appendChild(el("li", { "class": "pmkb-more" }, [button]));
      }
    }
    more();
  }

  function resultItem(result, state, base) {
      var incident = result.incident;
      var href = new URL(incident.url, base).href;
      var link = el("a", { href: href, "class": "pmkb-result-title" }, [
        el("span", { "class": "pmkb-id", text: incident.id }), document.createTextNode(" "),
        highlight(incident.title, state.q)
      ]);
      var meta = [incident.severity, incident.date, incident.status];
      if (incident.near_miss) meta.push("near-miss");
      if (incident.overdue_actions) meta.push(incident.overdue_actions + " overdue action items");
      return el("li", { "class": "pmkb-result", "data-id": incident.id }, [
        link,
        el("div", { "class": "pmkb-result-meta", text: meta.filter(Boolean).join(" · ") }),
        el("p", { "class": "pmkb-snippet" }, [highlight(incident.summary || incident.cause_summary, state.q)]),
        result.why ? el("p", { "class": "pmkb-why", text: "Matched: " + result.why() }) : null
      ]);
  }

  /* --- wiring ---------------------------------------------------------------- */

  function start(root) {
    if (root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "loading");
    Promise.all([
      fetchJson(root.getAttribute("data-catalog")),
      fetchJson(root.getAttribute("data-index")),
      loadScript(root.getAttribute("data-lunr"))
    ]).then(function (loaded) {
      var data = { catalog: loaded[0], index: window.lunr.Index.load(loaded[1]) };
      var state = readState();
      var form = root.querySelector("form");
      var input = root.querySelector(".pmkb-query");
      var sort = root.querySelector(".pmkb-sort");
      var from = root.querySelector(".pmkb-from");
      var to = root.querySelector(".pmkb-to");
      var typingTimer = null;

      function show() {
        input.value = state.q; sort.value = state.sort; from.value = state.from; to.value = state.to;
        var results = search(data, state);
        renderFacets(root, data, state, results, update);
        var filtered = sortResults(results.filter(function (r) { return matches(r.incident, state); }), state);
        renderResults(root, state, filtered, clearAll);
        showActiveFilters();
        root.setAttribute("data-ready", "yes");
      }
      function update(push) { writeState(state, push); show(); }
      // The filter panel: collapsed on a phone, so the results come first; its summary
      // counts the active filters and "Clear all filters" clears them (not the words).
      var panel = root.querySelector(".pmkb-filter-panel");
      var clearFilters = root.querySelector(".pmkb-clear-filters");
      if (panel && window.matchMedia("(max-width: 44.9375em)").matches) panel.open = false;
      function showActiveFilters() {
        var active = FACETS.reduce(function (n, f) { return n + state.filters[f.key].length; }, 0) +
          (state.from ? 1 : 0) + (state.to ? 1 : 0);
        var count = root.querySelector(".pmkb-active-count");
        if (count) count.textContent = active ? " (" + active + " active)" : "";
        if (clearFilters) clearFilters.hidden = !active;
      }
      if (clearFilters) clearFilters.addEventListener("click", function () {
        FACETS.forEach(function (facet) { state.filters[facet.key] = []; });
        state.from = ""; state.to = "";
        update(true);
      });
      function clearAll() {
        state = { q: "", sort: "relevance", from: "", to: "", filters: {} };
        FACETS.forEach(function (facet) { state.filters[facet.key] = []; });
        update(true);
        input.focus();
      }
      var typing = false;
      input.addEventListener("input", function () {
        state.q = input.value;
        // The first keystroke after a pause starts a new history entry; the rest of
        // the word replaces it, so the back button steps through searches, not letters.
        writeState(state, !typing);
        typing = true;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typing = false; }, 800);
        show();
      });
      form.addEventListener("submit", function (event) { event.preventDefault(); update(true); });
      sort.addEventListener("change", function () { state.sort = sort.value; update(true); });
      from.addEventListener("change", function () { state.from = from.value; update(true); });
      to.addEventListener("change", function () { state.to = to.value; update(true); });
      window.addEventListener("popstate", function () {
        if (!document.body.contains(root)) return;
        state = readState();
        show();
      });
      show();
    }).catch(function (error) {
      root.setAttribute("data-ready", "error");
      root.querySelector(".pmkb-status").textContent = "The incident search could not load: " + error.message;
    });
  }

  function init() {
    var root = document.getElementById("pmkb-search");
    if (root) start(root);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
