/* postmortem-kb action items: filter a table of action items by owner, status,
 * priority and lateness, with the filter kept in the URL (?owner=@alice&overdue=1)
 * so it can be shared and bookmarked.
 *
 * The table may come in parts (div.pmkb-parts holding one table per fifty rows, which
 * the browser lays out only near the screen); the filter reads the rows of all of them.
 *
 * Progressive enhancement: the form is hidden in the HTML and shown here; without
 * JavaScript the table lists every item. Works with Material's instant navigation.
 */
(function () {
  "use strict";

  var FIELDS = ["owner", "status", "priority"];

  function start(form) {
    var table = document.getElementById(form.getAttribute("data-pmkb-filters"));
    if (!table || form.hasAttribute("data-ready")) return;
    form.setAttribute("data-ready", "");
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    // A long table comes in parts, a table each: a part with no row shown is hidden.
    var parts = table.classList.contains("pmkb-parts") ?
      Array.prototype.slice.call(table.children) : [];
    var output = form.querySelector("output");
    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      if (field && params.has(name)) field.value = params.get(name);
    });
    form.elements.overdue.checked = params.get("overdue") === "1";
    form.hidden = false;

    function apply() {
      var wanted = {};
      FIELDS.forEach(function (name) {
        var field = form.elements[name];
        if (field && field.value) wanted[name] = field.value;
      });
      var lateOnly = form.elements.overdue.checked;
      var shown = 0;
      rows.forEach(function (row) {
        var match = (!lateOnly || row.getAttribute("data-overdue") === "1") &&
          Object.keys(wanted).every(function (name) {
            return row.getAttribute("data-" + name) === wanted[name];
          });
        row.hidden = !match;
        if (match) shown += 1;
      });
      parts.forEach(function (part) {
        part.hidden = !part.querySelector("tbody tr:not([hidden])");
      });
      output.textContent = shown + " of " + rows.length + " items";
      var query = new URLSearchParams(window.location.search);
      FIELDS.forEach(function (name) {
        if (wanted[name]) query.set(name, wanted[name]); else query.delete(name);
      });
      if (lateOnly) query.set("overdue", "1"); else query.delete("overdue");
      var search = query.toString();
      var url = window.location.pathname + (search ? "?" + search : "") + window.location.hash;
      window.history.replaceState(window.history.state, "", url);
    }

    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    apply();
  }

  function init() {
    document.querySelectorAll("form[data-pmkb-filters]").forEach(start);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
