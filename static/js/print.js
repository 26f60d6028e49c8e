// The delivery document's "Print" button: shown only when this script runs (no inline script
// is allowed by the Content-Security-Policy); without it, the browser's own print command works.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
