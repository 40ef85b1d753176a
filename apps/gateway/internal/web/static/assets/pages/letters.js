// Letters: three tabs by open date (past, today, future) and one letter.
// A sealed letter is shown by its title, open time and time left: the API
// sends nothing more, and nothing more is put in the page.
import { api, blobURL } from "../api.js";
import { confirmDialog, empty, errorText, failed, h, loading, pageHead } from "../dom.js";
import { fmtDateTime, moodText, t, timeLeft } from "../i18n.js";

const TABS = ["past", "today", "future"];
const PAGE = 20;

export function lettersPage(ctx) {
  let tab = TABS.includes(ctx.query.get("tab")) ? ctx.query.get("tab") : "past";
  const written = ctx.query.get("written");
  const panel = h("div", { id: "letters-panel", role: "tabpanel", tabindex: "0" });
  const buttons = TABS.map((name) =>
    h("button", { type: "button", role: "tab", id: `tab-${name}`, "data-testid": `tab-${name}`, "data-tab": name, "aria-controls": "letters-panel", text: t(`letters.tab.${name}`) }));
  const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": t("letters.tabsLabel") }, ...buttons);

  const select = (name, focus) => {
    tab = name;
    for (const b of buttons) {
      const on = b.dataset.tab === name;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
      if (on && focus) b.focus();
    }
    panel.setAttribute("aria-labelledby", `tab-${name}`);
    history.replaceState(null, "", `/letters?tab=${name}`);
    load(name);
  };
  tablist.addEventListener("click", (e) => {
    const b = e.target.closest("[role=tab]");
    if (b) select(b.dataset.tab, false);
  });
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  tablist.addEventListener("keydown", (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    e.preventDefault();
    select(TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length], true);
  });

  let loadSeq = 0;
  async function load(name) {
    const seq = ++loadSeq;
    panel.replaceChildren(loading());
    const list = h("ul", { class: "letter-list", id: "letter-list", "data-testid": "letter-list", "data-category": name });
    const more = h("button", { type: "button", class: "secondary", id: "letters-more", "data-testid": "letters-more", text: t("letters.more"), hidden: true });
    let cursor = null;
    const fetchPage = async () => {
      const q = new URLSearchParams({ category: name, limit: String(PAGE) });
      if (cursor) q.set("cursor", cursor);
      const body = await api("GET", `/api/letters?${q}`);
      if (seq !== loadSeq) return;
      for (const item of body.items || []) list.append(card(item, written));
      cursor = body.next_cursor || null;
      more.hidden = !cursor;
    };
    more.addEventListener("click", async () => {
      more.disabled = true;
      try {
        await fetchPage();
      } catch (err) {
        more.after(failed(err));
      } finally {
        more.disabled = false;
      }
    });
    try {
      await fetchPage();
    } catch (err) {
      if (seq === loadSeq) panel.replaceChildren(failed(err));
      return;
    }
    if (seq !== loadSeq) return;
    const emptyState = empty(t(`letters.empty.${name}`), h("a", { class: "button", href: "/write", text: t("home.write") }));
    emptyState.hidden = list.children.length > 0;
    // The empty state comes back when the last card is deleted.
    new MutationObserver(() => (emptyState.hidden = list.children.length > 0)).observe(list, { childList: true });
    panel.replaceChildren(emptyState, list, more);
  }

  const notice = written ? h("p", { class: "notice", role: "status", id: "letters-notice", "data-testid": "letters-notice", text: t("letters.sealedNotice") }) : null;
  const page = h("div", { class: "stack", id: "letters" }, pageHead(t("letters.title")), notice, h("section", { class: "paper" }, tablist, panel));
  select(tab, false);

  // Time left counts down while the page is shown.
  const timer = setInterval(() => {
    if (!page.isConnected) return clearInterval(timer);
    for (const el of page.querySelectorAll("[data-open-at]")) el.textContent = timeLeft(el.dataset.openAt);
  }, 30000);
  return page;
}

function card(item, written) {
  const li = h("li", { class: item.sealed ? "letter-card sealed" : "letter-card", "data-testid": "letter-card", "data-letter-id": item.id, "data-sealed": item.sealed ? "true" : "false" });
  if (item.id === written) li.classList.add("fresh");
  const title = h("h2", { class: "letter-title" }, item.sealed ? item.title : h("a", { href: `/letters/${item.id}`, text: item.title }));
  const when = h("p", { class: "meta" }, t(item.sealed ? "letters.opensAt" : "letters.openedAt", { when: fmtDateTime(item.open_at) }));
  li.append(title, when);
  if (item.sealed) {
    li.prepend(h("span", { class: "seal", "aria-hidden": "true", text: "✉" }));
    li.append(h("p", { class: "time-left", "data-testid": "time-left", "data-open-at": item.open_at, text: timeLeft(item.open_at) }));
  } else {
    li.append(h("p", { class: "meta" },
      h("span", { class: item.mood ? `mood-label mood-${item.mood}` : "mood-label", "data-testid": "mood-label", "data-mood": item.mood || "", text: moodText(item.mood, item.detailed_mood) }),
      item.image_count ? h("span", { class: "images-count", text: t("letters.imageCount", { n: item.image_count }) }) : null));
  }
  const del = h("button", { type: "button", class: "danger small", "data-testid": "letter-delete", text: t("common.delete"), "aria-label": t("letters.deleteNamed", { title: item.title }) });
  del.addEventListener("click", async () => {
    if (!(await confirmDialog(t("letters.confirmDelete", { title: item.title })))) return del.focus();
    del.disabled = true;
    try {
      await api("DELETE", `/api/letters/${item.id}`);
      li.remove();
    } catch (err) {
      del.disabled = false;
      li.append(failed(err));
    }
  });
  li.append(h("div", { class: "card-actions" }, del));
  return li;
}

export function letterPage(ctx) {
  const id = ctx.params[0];
  const body = h("div", { class: "stack", id: "letter-page" }, loading());
  (async () => {
    let letter;
    try {
      letter = await api("GET", `/api/letters/${encodeURIComponent(id)}`);
    } catch (err) {
      body.replaceChildren(err.status === 423 ? sealedView(id, err.problem.open_at) : err.status === 404 || err.status === 400 ? missing() : failed(err));
      return;
    }
    if (letter.sealed) {
      body.replaceChildren(sealedView(id, letter.open_at));
      return;
    }
    body.replaceChildren(openView(ctx, letter));
  })();
  return body;
}

function back() {
  return h("a", { href: "/letters", class: "back", text: t("letters.back") });
}

function missing() {
  return h("section", { class: "paper center", "data-testid": "letter-missing" }, h("h1", { id: "page-title", text: t("letters.missing") }), back());
}

function sealedView(id, openAt) {
  return h("article", { class: "paper letter sealed center", id: "letter", "data-letter-id": id, "data-sealed": "true" },
    h("span", { class: "seal big", "aria-hidden": "true", text: "✉" }),
    h("h1", { id: "page-title", text: t("letters.stillSealed") }),
    openAt ? h("p", { class: "lead", text: t("letters.opensAt", { when: fmtDateTime(openAt) }) }) : null,
    openAt ? h("p", { class: "time-left", "data-testid": "time-left", text: timeLeft(openAt) }) : null,
    back());
}

function openView(ctx, letter) {
  const figures = h("div", { class: "letter-images", id: "letter-images", "data-testid": "letter-images" });
  letter.images.forEach((im, i) => {
    const fig = h("figure", { class: "letter-image", "data-image-id": im.id }, loading());
    figures.append(fig);
    blobURL(im.url)
      .then((url) => fig.replaceChildren(h("img", { src: url, alt: t("letters.imageAlt", { n: i + 1 }), "data-testid": "letter-image" })))
      .catch((err) => fig.replaceChildren(h("p", { class: "muted", text: errorText(err) })));
  });
  const del = h("button", { type: "button", class: "danger", id: "letter-delete", "data-testid": "letter-delete", text: t("letters.delete") });
  const status = h("p", { class: "form-error", role: "alert", hidden: true });
  del.addEventListener("click", async () => {
    if (!(await confirmDialog(t("letters.confirmDelete", { title: letter.title })))) return del.focus();
    del.disabled = true;
    try {
      await api("DELETE", `/api/letters/${letter.id}`);
      ctx.navigate("/letters?tab=past", { replace: true });
    } catch (err) {
      del.disabled = false;
      status.textContent = errorText(err);
      status.hidden = false;
    }
  });
  return h("article", { class: "paper letter", id: "letter", "data-letter-id": letter.id, "data-sealed": "false" },
    back(),
    h("h1", { id: "page-title", class: "letter-heading", text: letter.title }),
    h("p", { class: "meta" }, t("letters.writtenAt", { when: fmtDateTime(letter.created_at) }), " · ", t("letters.openedAt", { when: fmtDateTime(letter.open_at) })),
    h("p", { class: "mood-line" }, t("letters.mood"), " ",
      h("span", { class: letter.mood ? `mood-label mood-${letter.mood}` : "mood-label", id: "letter-mood", "data-testid": "mood-label", "data-mood": letter.mood || "", text: moodText(letter.mood, letter.detailed_mood) })),
    h("div", { class: "letter-content", id: "letter-content", "data-testid": "letter-content", text: letter.content }),
    letter.images.length ? figures : null,
    h("div", { class: "actions" }, del),
    status);
}
