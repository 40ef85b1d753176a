// Home: what this is, start writing, sign in.
import { signedIn } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

export function homePage() {
  const actions = signedIn()
    ? [h("a", { class: "button", href: "/write", id: "home-write", "data-testid": "home-write", text: t("home.write") }),
       h("a", { class: "button secondary", href: "/letters", id: "home-letters", text: t("home.letters") })]
    : [h("a", { class: "button", href: "/signup", id: "home-signup", "data-testid": "home-signup", text: t("home.start") }),
       h("a", { class: "button secondary", href: "/login", id: "home-login", "data-testid": "home-login", text: t("home.login") })];
  const feature = (key) => h("article", { class: "card" }, h("h2", { text: t(`home.${key}.title`) }), h("p", { text: t(`home.${key}.text`) }));
  return h("div", { class: "stack", id: "home" },
    h("section", { class: "hero paper" },
      h("h1", { id: "page-title", text: t("home.title") }),
      h("p", { class: "lead", text: t("home.lead") }),
      h("div", { class: "actions" }, ...actions)),
    h("section", { class: "features", "aria-label": t("home.features") }, feature("sealed"), feature("routine"), feature("mood")));
}
