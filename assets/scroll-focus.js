/* Keep scrollable code and output boxes reachable by keyboard when they appear late.

   The theme makes every scrollable <pre>, cell output and table a tab stop (tabindex 0) so that
   a keyboard user can scroll it (WCAG 2.1.1; axe-core rule scrollable-region-focusable), but it
   checks only when the page loads, resizes or gains elements. A box inside a closed dropdown (a
   solution) has no size then and gets tabindex -1, which it keeps once the reader opens the
   dropdown. This applies the theme's rule again whenever such a box changes size. */
(function () {
  "use strict";
  var BOXES = "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, .pst-scrollable-table-container";
  var watching = new WeakSet();
  var sizes = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var box = entry.target;
      box.tabIndex = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight ? 0 : -1;
    });
  });

  function watchBoxes() {
    document.querySelectorAll(BOXES).forEach(function (box) {
      if (!watching.has(box)) {
        watching.add(box);
        sizes.observe(box);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    watchBoxes();
    new MutationObserver(watchBoxes).observe(document.body, { childList: true, subtree: true });
  });
})();
