/*
 * Tables wider than the screen scroll sideways inside the wrapper Material puts around them.
 * Each wrapper that scrolls is marked ("scrolls"): the stylesheet then shows the scroll cue (a
 * shadow at the edge with more to see, and a line saying so) while the first column, the
 * table's key, stays in view. Each scrolling box, a wide table's wrapper or a code block, is
 * made focusable so that keyboard users can scroll it too (WCAG 2.1.1; axe rule
 * scrollable-region-focusable). Material wraps the tables each time a page is shown, before
 * this runs. Nothing here loads anything.
 */
(function () {
  function mark() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      var table = wrap.querySelector("table");
      var scrolls = table !== null && table.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("scrolls", scrolls);
      if (scrolls) {
        wrap.setAttribute("tabindex", "0");
      }
    });
    document.querySelectorAll(".md-typeset pre > code").forEach(function (code) {
      if (code.scrollWidth > code.clientWidth + 1) {
        code.setAttribute("tabindex", "0");
      }
    });
  }
  document$.subscribe(mark);
  window.addEventListener("resize", mark);
})();
