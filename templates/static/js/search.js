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
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { ui.triggerSearch(query); }
})();
