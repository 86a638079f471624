/* The search page: Pagefind's default interface, served from this site's pagefind/ folder.
   The index is in shards: pagefind/ holds the first, pagefind/shards.json names the others, which
   Pagefind merges into one list of results and one set of filters. */
(function () {
  "use strict";
  var container = document.getElementById("search");
  if (!container) { return; }
  if (window.location.protocol === "file:" || typeof window.PagefindUI !== "function") {
    // Browsers refuse to load the search index from a file opened on disk.
    document.getElementById("search-offline").hidden = false;
    return;
  }
  var script = document.querySelector("script[src$='pagefind/pagefind-ui.js']");
  var bundle = new URL(".", script ? script.src : window.location.href);
  var start = function (shards) {
    var ui = new window.PagefindUI({
      element: "#search",
      showSubResults: false,
      showImages: false,
      resetStyles: false,
      mergeIndex: shards.map(function (name) { return { bundlePath: new URL(name + "/", bundle).pathname }; }),
      translations: { placeholder: "Search incidents, briefs, actors and places" }
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) { ui.triggerSearch(query); }
  };
  fetch(new URL("shards.json", bundle)).then(function (response) {
    return response.ok ? response.json() : [];
  }).then(start, function () { start([]); });
  // Pagefind's input has only a title; give it a name of its own (WCAG 4.1.2, axe: label-title-only).
  var label = function () {
    var input = container.querySelector("input[type=text], input[type=search], input:not([type])");
    if (input && !input.hasAttribute("aria-label")) { input.setAttribute("aria-label", "Search the site"); }
    return Boolean(input);
  };
  if (!label()) { new MutationObserver(function (changes, observer) { if (label()) { observer.disconnect(); } })
    .observe(container, { childList: true, subtree: true }); }
})();
