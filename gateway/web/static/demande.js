/* The request builder's and the extract page's live parts (htmx swaps them in place).
   The portal's script moves the focus to a page's error summary after an htmx swap; these
   swaps happen while one is choosing (the preview) or waiting (the progress bar), so they
   keep the focus where it is: their settle event stops at the live area. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-apercu-vivant]").forEach(function (area) {
      area.addEventListener("htmx:after:settle", function (event) { event.stopPropagation(); });
    });
  });
})();
