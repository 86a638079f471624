/* The search page: Pagefind's default interface, served from this site's pagefind/ folder. */
(function () {
  "use strict";
  var container = document.getElementById("search");
  if (!container) { return; }
  if (window.location.protocol === "file:" || typeof window.PagefindUI !== "function") {
    // Browsers refuse to load the search index from a file opened on disk.
    document.getElementById("search-offline").hidden = false;
    return;
  }
  var ui = new window.PagefindUI({
    element: "#search",
    showSubResults: false,
    showImages: false,
    resetStyles: false,
    translations: { placeholder: "Search incidents, briefs, actors and places" }
  });
  // Pagefind's input has only a title; give it a name of its own (WCAG 4.1.2, axe: label-title-only).
  var label = function () {
    var input = container.querySelector("input[type=text], input[type=search], input:not([type])");
    if (input && !input.hasAttribute("aria-label")) { input.setAttribute("aria-label", "Search the site"); }
    return Boolean(input);
  };
  if (!label()) { new MutationObserver(function (changes, observer) { if (label()) { observer.disconnect(); } })
    .observe(container, { childList: true, subtree: true }); }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { ui.triggerSearch(query); }
})();
