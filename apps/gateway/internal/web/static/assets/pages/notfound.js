// The page for any URL that is not one of the client's pages (the gateway
// answered it with 404).
import { h } from "../dom.js";
import { t } from "../i18n.js";

export function notFoundPage() {
  return h("section", { class: "paper center", id: "not-found", "data-testid": "not-found" },
    h("h1", { id: "page-title", text: t("notFound.title") }),
    h("p", { class: "lead", text: t("notFound.text") }),
    h("a", { class: "button", href: "/", text: t("notFound.home") }));
}
