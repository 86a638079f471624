// sitrep live preview (`build.py serve`): reload the page after every build, and show
// content errors over it while the last good build stays on screen. Only the preview server adds
// this script to pages; the files in output/ never load it.
(() => {
  "use strict";
  const script = document.currentScript;
  let shownBuild = script && script.dataset.build ? script.dataset.build : null;
  let overlay = null;

  // the page's path tells the preview which pages to render first after an edit
  const events = new EventSource("/__sitrep__/events?page=" + encodeURIComponent(location.pathname));
  events.addEventListener("open", () => { document.documentElement.dataset.sitrepPreview = "connected"; });
  events.addEventListener("build", (event) => {
    const build = String(JSON.parse(event.data).build);
    if (shownBuild !== null && build !== shownBuild) {
      location.reload();
      return;
    }
    shownBuild = build;
    hide();
  });
  events.addEventListener("problems", (event) => show(JSON.parse(event.data).problems));

  function element(tag, text, css) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (css) node.style.cssText = css;
    return node;
  }

  function hide() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  function show(problems) {
    hide();
    overlay = element("div", null,
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(16,16,16,.94);color:#f5f5f5;font:15px/1.5 system-ui,sans-serif;text-align:left");
    overlay.id = "sitrep-problems";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-labelledby", "sitrep-problems-title");
    const errors = problems.filter((p) => p.severity !== "warning").length;
    const title = element("h2", `${errors} ${errors === 1 ? "problem" : "problems"} in the content`,
      "margin:0 0 .25rem;font-size:1.4rem;color:#ff8a80");
    title.id = "sitrep-problems-title";
    overlay.append(title, element("p",
      "Still showing the last good build. Fix the file and save: this page reloads by itself.",
      "margin:0 0 1.25rem;color:#ccc"));
    const list = element("ul", null, "list-style:none;margin:0;padding:0");
    for (const problem of problems) {
      const item = element("li", null, "margin:0 0 1rem");
      if (problem.where) item.append(element("code", problem.where, "color:#ffd180;font-weight:bold"), " ");
      item.append(element("span", problem.message));
      if (problem.excerpt) {
        item.append(element("pre", problem.excerpt,
          "margin:.4rem 0 0;padding:.5rem .75rem;background:#000;color:#eee;overflow:auto;" +
          "font:13px/1.4 ui-monospace,monospace;white-space:pre"));
      }
      list.append(item);
    }
    const close = element("button", "Hide", "margin-top:.5rem;font:inherit;padding:.25rem 1rem");
    close.type = "button";
    close.addEventListener("click", hide);
    overlay.append(list, close);
    document.body.append(overlay);
    close.focus();
  }
})();
