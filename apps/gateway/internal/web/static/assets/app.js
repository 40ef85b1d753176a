// Shows whether every service answers, as the gateway sees it through Dapr.
(function () {
  "use strict";
  const summary = document.getElementById("status-summary");
  const list = document.getElementById("status-list");
  if (!summary || !list) return;

  async function refresh() {
    try {
      const res = await fetch("/healthz/services", { headers: { Accept: "application/json" } });
      const body = await res.json();
      const entries = Object.entries(body.services || {}).sort(([a], [b]) => a.localeCompare(b));
      list.replaceChildren(...entries.map(([name, state]) => {
        const li = document.createElement("li");
        const n = document.createElement("span");
        n.textContent = name;
        const s = document.createElement("span");
        s.textContent = state === "ok" ? "정상 · ok" : state;
        s.className = state === "ok" ? "ok" : "bad";
        li.append(n, s);
        return li;
      }));
      const healthy = entries.filter(([, s]) => s === "ok").length;
      summary.textContent = res.ok
        ? `모든 서비스가 정상입니다 · all ${healthy} services are up`
        : `${entries.length - healthy}개 서비스에 문제가 있습니다 · ${entries.length - healthy} of ${entries.length} services are down`;
    } catch (err) {
      summary.textContent = "게이트웨이에 연결할 수 없습니다 · the gateway is not reachable";
    }
  }
  refresh();
  setInterval(refresh, 10000);
})();
