// The web client's entry: restores the session, draws the header and
// routes the page URLs (architecture.md, "Web client") to their modules
// without reloading the page.
import { api, currentProfile, loadProfile, logout, onSessionChange, restore, signedIn } from "./api.js";
import { h } from "./dom.js";
import { getLang, saveLang, setLang, setZone, t } from "./i18n.js";
import { homePage } from "./pages/home.js";
import { loginPage, signupPage } from "./pages/auth.js";
import { writePage } from "./pages/write.js";
import { letterPage, lettersPage } from "./pages/letters.js";
import { routinesPage } from "./pages/routines.js";
import { mePage } from "./pages/me.js";
import { settingsPage } from "./pages/settings.js";
import { notificationsPage } from "./pages/notifications.js";
import { notFoundPage } from "./pages/notfound.js";

// routes: [pattern, page, needs a session, title key]. The gateway answers
// the same list with 200 (internal/web/web.go); anything else is a 404.
const routes = [
  [/^\/$/, homePage, false, "nav.home"],
  [/^\/signup$/, signupPage, false, "nav.signup"],
  [/^\/login$/, loginPage, false, "nav.login"],
  [/^\/write$/, writePage, true, "nav.write"],
  [/^\/letters$/, lettersPage, true, "nav.letters"],
  [/^\/letters\/([0-9A-Za-z-]{1,64})$/, letterPage, true, "nav.letters"],
  [/^\/routines$/, routinesPage, true, "nav.routines"],
  [/^\/me$/, mePage, true, "nav.me"],
  [/^\/settings$/, settingsPage, true, "nav.settings"],
  [/^\/notifications$/, notificationsPage, true, "nav.notifications"],
];

const main = document.getElementById("main");
const top = document.getElementById("top");

// navigate shows path (with its query) as a new history entry, or in
// place of the current one.
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

// adoptProfile makes the UI follow the signed-in user's locale and zone.
function adoptProfile() {
  const p = currentProfile();
  if (!p) return;
  setLang(p.locale === "en" ? "en" : "ko");
  setZone(p.timezone);
}

function header() {
  const current = location.pathname;
  const link = (href, key, id) =>
    h("a", { href, id, "data-testid": id, class: current === href || current.startsWith(href + "/") ? "active" : null, "aria-current": current === href ? "page" : null, text: t(key) });
  const items = signedIn()
    ? [
        link("/write", "nav.write", "nav-write"),
        link("/letters", "nav.letters", "nav-letters"),
        link("/routines", "nav.routines", "nav-routines"),
        link("/me", "nav.me", "nav-me"),
        link("/notifications", "nav.notifications", "nav-notifications"),
        link("/settings", "nav.settings", "nav-settings"),
        h("button", { type: "button", class: "linklike", id: "logout-button", "data-testid": "logout-button", text: t("nav.logout"), onclick: onLogout }),
      ]
    : [link("/login", "nav.login", "nav-login"), link("/signup", "nav.signup", "nav-signup")];
  const toggle = h("button", {
    type: "button",
    class: "lang-toggle",
    id: "lang-toggle",
    "data-testid": "lang-toggle",
    lang: getLang() === "ko" ? "en" : "ko",
    text: getLang() === "ko" ? "English" : "한국어",
    onclick: onToggleLang,
  });
  // The language switch is not navigation: it sits beside the menu, and
  // names the other language in that language.
  top.replaceChildren(
    h("a", { class: "brand", href: "/", "data-testid": "brand", text: t("app.name") }),
    h("div", { class: "top-right" }, h("nav", { class: "nav", "aria-label": t("nav.label") }, ...items), toggle),
  );
  document.getElementById("skip-link").textContent = t("nav.skip");
  document.getElementById("foot").textContent = t("app.footer");
}

async function onLogout() {
  await logout();
  navigate("/");
}

// The language follows the profile once signed in (saved there), and is
// remembered in localStorage only while signed out.
async function onToggleLang(e) {
  const next = getLang() === "ko" ? "en" : "ko";
  const button = e.currentTarget;
  if (signedIn()) {
    button.disabled = true;
    try {
      await api("PATCH", "/api/users/me", { locale: next });
      await loadProfile();
    } catch {
      // keep the language as it was: the profile decides
      button.disabled = false;
      return;
    }
  } else saveLang(next);
  setLang(next);
  render();
}

let renderSeq = 0;

// render draws the page for the current URL.
async function render() {
  const seq = ++renderSeq;
  const path = location.pathname;
  let match = null;
  let route = null;
  for (const r of routes) {
    match = r[0].exec(path);
    if (match) {
      route = r;
      break;
    }
  }
  if (route && route[2] && !signedIn()) {
    navigate(`/login?next=${encodeURIComponent(path + location.search)}`, { replace: true });
    return;
  }
  document.documentElement.lang = getLang();
  header();
  const page = route ? route[1] : notFoundPage;
  const ctx = { params: match ? match.slice(1) : [], query: new URLSearchParams(location.search), navigate, rerender: render, adoptProfile };
  const node = await page(ctx);
  if (seq !== renderSeq) return; // a later navigation won
  main.replaceChildren(node);
  document.title = `${t(route ? route[3] : "nav.notFound")} · ${t("app.name")}`;
  // After a move (not the first load), focus goes to the new page, as a
  // full page load would put it, so keyboard and screen reader users start
  // at the top of the new content.
  if (!initial) main.focus({ preventScroll: true });
  initial = false;
  window.scrollTo(0, 0);
}

let initial = true;

// Same-origin links move without a reload.
document.addEventListener("click", (e) => {
  const a = e.target.closest("a[href]");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  if (a.target || a.hasAttribute("download")) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/fonts/")) return;
  if (url.hash && url.pathname === location.pathname) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener("popstate", render);

// A session that ends (refresh refused, signed out in another tab) takes
// a protected page to the login page at once.
onSessionChange((on) => {
  if (on) adoptProfile();
  else if (routes.some((r) => r[2] && r[0].test(location.pathname))) render();
});

main.replaceChildren(h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" })));
if (await restore()) adoptProfile();
render();
