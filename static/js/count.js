// The live count on a campaign page: polls count.json and updates the number, the
// progress bar and the next milestone. The page works fully without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-count-url]");
  if (!box || !window.fetch || !window.Intl) return;
  const lang = document.documentElement.lang || "en";
  const numbers = new Intl.NumberFormat(lang);
  const plurals = new Intl.PluralRules(lang);
  const part = (name) => box.querySelector(`[data-${name}]`);
  const number = part("count-number");
  const noun = part("count-noun");
  const bar = part("count-progress");
  const goalText = part("goal-text");
  const next = part("next-milestone");
  const announce = part("count-announce");
  // The percentage placeholder in goalText's template (see petitions/_progress.html).
  const PERCENT = "123456789";
  const every = Math.max(Number(box.dataset.pollSeconds) || 5, 2) * 1000;
  // Screen readers hear the new count at most once a minute, not on every poll.
  const ANNOUNCE_EVERY = 60000;
  let shown = Number(box.dataset.count);
  let lastAnnounced = 0;
  let failures = 0;
  let timer = null;

  function render(data) {
    const count = data.signature_count;
    if (typeof count !== "number" || count === shown) return;
    shown = count;
    const nounText = plurals.select(count) === "one" ? box.dataset.countOne : box.dataset.countOther;
    number.textContent = numbers.format(count);
    if (noun && nounText) noun.textContent = nounText;
    if (bar && data.goal) {
      const percent = Math.min(100, Math.floor((count * 100) / data.goal));
      bar.max = data.goal;
      bar.value = Math.min(count, data.goal);
      bar.textContent = `${percent}%`;
      if (goalText) goalText.textContent = goalText.dataset.template.replace(PERCENT, String(percent));
    }
    if (next) {
      const milestone = data.next_milestone;
      const show = Boolean(milestone) && milestone !== data.goal;
      next.hidden = !show;
      if (show) next.textContent = next.dataset.template.replace("{count}", numbers.format(milestone));
    }
    if (announce && Date.now() - lastAnnounced >= ANNOUNCE_EVERY) {
      announce.textContent = `${numbers.format(count)} ${nounText || ""}`.trim();
      lastAnnounced = Date.now();
    }
  }

  function schedule() {
    clearTimeout(timer);
    // Back off while the server is unreachable: up to eight times the usual pause.
    timer = setTimeout(poll, every * Math.min(2 ** failures, 8));
  }

  async function poll() {
    if (document.hidden) return; // resumed by visibilitychange
    try {
      const response = await fetch(box.dataset.countUrl, { headers: { Accept: "application/json" } });
      if (response.status === 404) return; // unpublished or hidden since: stop polling
      if (!response.ok) throw new Error(`count.json answered ${response.status}`);
      render(await response.json());
      failures = 0;
    } catch {
      failures += 1;
    }
    schedule();
  }

  document.addEventListener("visibilitychange", () => {
    clearTimeout(timer);
    if (!document.hidden) poll();
  });
  schedule();
});
