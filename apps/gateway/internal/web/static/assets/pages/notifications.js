// The mails the user was sent (GET /api/notifications), newest first.
import { api } from "../api.js";
import { empty, failed, h, loading, pageHead } from "../dom.js";
import { fmtDateTime, t } from "../i18n.js";

export function notificationsPage() {
  const box = h("section", { class: "paper", id: "notifications" }, loading());
  (async () => {
    let items;
    try {
      items = (await api("GET", "/api/notifications")).items || [];
    } catch (err) {
      box.replaceChildren(failed(err));
      return;
    }
    if (!items.length) {
      box.replaceChildren(empty(t("notifications.empty")));
      return;
    }
    box.replaceChildren(h("ul", { class: "item-list", id: "notification-list", "data-testid": "notification-list" },
      items.map((n) => h("li", { class: "item", "data-testid": "notification-item", "data-notification-id": n.id, "data-kind": n.kind, "data-status": n.status },
        h("div", {},
          h("strong", { text: n.subject || t(`notifications.kind.${n.kind}`) }),
          h("p", { class: "meta" }, n.subject ? [t(`notifications.kind.${n.kind}`), " · "] : null, fmtDateTime(n.sent_at || n.created_at))),
        h("span", { class: `badge status-${n.status}`, text: t(`notifications.status.${n.status}`) })))));
  })();
  return h("div", { class: "stack" }, pageHead(t("notifications.title"), t("notifications.lead")), box);
}
