// Progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // "Copy link" buttons: shown only when the clipboard API can do the job.
  for (const button of document.querySelectorAll("[data-copy-link]")) {
    if (!navigator.clipboard) continue;
    const status = button.parentElement.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copyLink);
        if (status) status.textContent = button.dataset.copiedText || "✓";
      } catch {
        if (status) status.textContent = "";
      }
    });
  }
});
