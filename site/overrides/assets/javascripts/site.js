/*
 * Tables wider than the screen scroll sideways inside the wrapper Material puts around them;
 * make each wrapper focusable so that keyboard users can scroll it too (WCAG 2.1.1; axe rule
 * scrollable-region-focusable). Material wraps the tables each time a page is shown, before
 * this runs. Nothing here loads anything.
 */
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
    if (!wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
    }
  });
});
