// My page: profile card, counts, the mood chart and timeline, the comfort
// message, recommendations with like / dislike, and re-analysis.
import { api, blobURL, currentProfile } from "../api.js";
import { moodBars, timeline } from "../charts.js";
import { busy, empty, errorText, failed, h, loading, pageHead } from "../dom.js";
import { fmtWallDate, getLang, moodLabel, subMoodLabel, t } from "../i18n.js";

export function mePage() {
  const profile = currentProfile();
  const counts = h("div", { id: "me-counts", "data-testid": "me-counts" }, loading());
  const mood = h("div", { id: "me-mood" }, loading());
  const timelineBox = h("div", { id: "me-timeline" }, loading());
  const recs = h("div", { id: "me-recs" }, loading());
  let period = "week";

  const periodButtons = ["week", "month"].map((p) =>
    h("button", { type: "button", class: "secondary small", id: `timeline-${p}`, "data-testid": `timeline-${p}`, "aria-pressed": p === period ? "true" : "false", text: t(`me.period.${p}`) }));
  for (const b of periodButtons) {
    b.addEventListener("click", () => {
      period = b.id.slice("timeline-".length);
      for (const o of periodButtons) o.setAttribute("aria-pressed", o === b ? "true" : "false");
      loadTimeline();
    });
  }

  async function loadCounts() {
    try {
      const [letters, routines, dates] = await Promise.all([countLetters(), api("GET", "/api/routines"), api("GET", "/api/special-dates")]);
      counts.replaceChildren(h("dl", { class: "counts" },
        stat("me.letters", letters, "count-letters"),
        stat("me.routines", (routines.items || []).length, "count-routines"),
        stat("me.specialDates", (dates.items || []).length, "count-special-dates")));
    } catch (err) {
      counts.replaceChildren(failed(err));
    }
  }

  async function loadMood() {
    let s;
    try {
      s = await api("GET", `/api/emotions/summary?lang=${getLang()}`);
    } catch (err) {
      mood.replaceChildren(failed(err));
      return;
    }
    const comfort = s.comfort && s.comfort.message ? h("blockquote", { class: "comfort", id: "comfort-message", "data-testid": "comfort-message", "data-mood": s.comfort.mood || "", text: s.comfort.message }) : null;
    if (!s.analysed) {
      mood.replaceChildren(empty(t("me.noAnalysis")), comfort);
      return;
    }
    mood.replaceChildren(
      s.most_frequent ? h("p", { class: "most-felt", id: "most-felt", "data-testid": "most-felt", "data-mood": s.most_frequent, text: t("me.mostFelt", { mood: moodLabel(s.most_frequent) }) }) : null,
      s.most_frequent_detailed ? h("p", { class: "most-felt", id: "most-felt-detailed", "data-mood": s.most_frequent_detailed, text: t("me.mostFeltSub", { sub: subMoodLabel(s.most_frequent_detailed) }) }) : null,
      h("p", { class: "meta", text: t("me.analysed", { n: s.analysed }) }),
      moodBars(s.moods || {}),
      comfort);
  }

  async function loadTimeline() {
    timelineBox.replaceChildren(loading());
    try {
      const res = await api("GET", `/api/emotions/timeline?period=${period}`);
      const buckets = Array.isArray(res) ? res : res.buckets || res.items || [];
      const any = buckets.some((b) => b.dominant);
      timelineBox.replaceChildren(any ? timeline(buckets, (start, short) => fmtWallDate(String(start).slice(0, 10), short ? "short" : "long")) : empty(t("me.noTimeline")));
    } catch (err) {
      timelineBox.replaceChildren(failed(err));
    }
  }

  async function loadRecs() {
    recs.replaceChildren(loading());
    let res;
    let liked = new Set();
    try {
      [res, liked] = await Promise.all([api("GET", `/api/recommendations?lang=${getLang()}`), likedItems()]);
    } catch (err) {
      recs.replaceChildren(failed(err));
      return;
    }
    const items = res.items || [];
    const list = h("ul", { class: "rec-list", id: "rec-list", "data-testid": "rec-list" }, items.map((item) => recItem(item, liked.has(item.id))));
    const emptyState = empty(t("me.noRecs"));
    emptyState.hidden = items.length > 0;
    new MutationObserver(() => (emptyState.hidden = list.children.length > 0)).observe(list, { childList: true });
    recs.replaceChildren(
      res.mood ? h("p", { class: "meta", id: "rec-because", "data-mood": res.mood, text: t("me.recsFor", { mood: moodLabel(res.mood) }) }) : null,
      t.has(`me.because.${res.because}`) ? h("p", { class: "meta", id: "rec-reason", "data-because": res.because, text: t(`me.because.${res.because}`) }) : null,
      list, emptyState);
  }

  const reanalyse = h("button", { type: "button", id: "reanalyze-button", "data-testid": "reanalyze-button", text: t("me.reanalyse") });
  const progress = h("progress", { id: "reanalyze-progress", "data-testid": "reanalyze-progress", max: 1, value: 0, hidden: true, "aria-label": t("me.reanalysing") });
  const progressText = h("p", { id: "reanalyze-status", "data-testid": "reanalyze-status", role: "status" });
  reanalyse.addEventListener("click", async () => {
    busy(reanalyse, true);
    progress.hidden = false;
    progress.removeAttribute("value"); // indeterminate until the first count
    progressText.textContent = t("me.reanalysing");
    try {
      const { job_id: job } = await api("POST", "/api/emotions/reanalyze");
      for (;;) {
        const st = await api("GET", `/api/emotions/reanalyze/${encodeURIComponent(job)}`);
        if (st.total) {
          progress.max = st.total;
          progress.value = st.done || 0;
        }
        progressText.textContent = t("me.reanalyseProgress", { done: st.done || 0, total: st.total || 0 });
        if (st.status === "done") {
          progressText.textContent = t("me.reanalyseDone", { total: st.total || 0 });
          break;
        }
        if (st.status === "failed") {
          progressText.textContent = t("me.reanalyseFailed");
          break;
        }
        if (!reanalyse.isConnected) return; // the page was left
        await new Promise((r) => setTimeout(r, 1000));
      }
      loadMood();
      loadTimeline();
      loadRecs();
    } catch (err) {
      progressText.textContent = errorText(err);
    } finally {
      busy(reanalyse, false);
      progress.hidden = true;
    }
  });

  loadCounts();
  loadMood();
  loadTimeline();
  loadRecs();

  return h("div", { class: "stack", id: "me" },
    pageHead(t("me.title")),
    h("div", { class: "two-col" },
      profileCard(profile),
      h("section", { class: "paper", "aria-labelledby": "counts-heading" }, h("h2", { id: "counts-heading", text: t("me.counts") }), counts)),
    h("section", { class: "paper", "aria-labelledby": "mood-heading" }, h("h2", { id: "mood-heading", text: t("me.moodTitle") }), mood,
      h("div", { class: "actions" }, reanalyse), progress, progressText),
    h("section", { class: "paper", "aria-labelledby": "timeline-heading" },
      h("div", { class: "section-head" }, h("h2", { id: "timeline-heading", text: t("me.timeline") }), h("div", { class: "seg", role: "group", "aria-label": t("me.periodLabel") }, periodButtons)),
      timelineBox),
    h("section", { class: "paper", "aria-labelledby": "recs-heading" }, h("h2", { id: "recs-heading", text: t("me.recs") }), recs));
}

function stat(key, n, id) {
  return h("div", { class: "stat" }, h("dt", { text: t(key) }), h("dd", { id, "data-testid": id, text: n }));
}

// countLetters pages through GET /api/letters (there is no count call).
async function countLetters() {
  let n = 0;
  let cursor = "";
  for (let i = 0; i < 100; i++) {
    const q = new URLSearchParams({ limit: "100" });
    if (cursor) q.set("cursor", cursor);
    const page = await api("GET", `/api/letters?${q}`);
    n += (page.items || []).length;
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return n;
}

// likedItems is the ids the caller liked (GET /api/recommendations/feedback
// answers {items: [{id, …, feedback}]}).
async function likedItems() {
  try {
    const fb = await api("GET", "/api/recommendations/feedback");
    return new Set((fb.items || []).filter((f) => f.feedback === "like").map((f) => f.id));
  } catch {
    return new Set(); // likes are a nicety here; the list still works
  }
}

function recItem(item, liked) {
  const li = h("li", { class: "rec", "data-testid": "rec-item", "data-item-id": item.id, "data-type": item.type });
  const like = h("button", { type: "button", class: "secondary small", "data-testid": "rec-like", "aria-pressed": liked ? "true" : "false", text: t("me.like"), "aria-label": t("me.likeNamed", { title: item.title }) });
  const dislike = h("button", { type: "button", class: "secondary small", "data-testid": "rec-dislike", text: t("me.dislike"), "aria-label": t("me.dislikeNamed", { title: item.title }) });
  const status = h("span", { class: "bad", role: "alert" });
  like.addEventListener("click", async () => {
    const on = like.getAttribute("aria-pressed") !== "true";
    like.disabled = true;
    try {
      await api("POST", "/api/recommendations/feedback", { item_id: item.id, feedback: on ? "like" : "none" });
      like.setAttribute("aria-pressed", on ? "true" : "false");
      status.textContent = "";
    } catch (err) {
      status.textContent = errorText(err);
    } finally {
      like.disabled = false;
    }
  });
  dislike.addEventListener("click", async () => {
    dislike.disabled = true;
    try {
      await api("POST", "/api/recommendations/feedback", { item_id: item.id, feedback: "dislike" });
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      if (next) next.querySelector("button").focus();
    } catch (err) {
      dislike.disabled = false;
      status.textContent = errorText(err);
    }
  });
  const details = [item.original_title && item.original_title !== item.title ? item.original_title : null, item.creator, item.year].filter(Boolean).join(" · ");
  li.append(
    h("span", { class: `badge type-${item.type}`, text: t(`rec.type.${item.type}`) }),
    h("div", { class: "rec-body" },
      h("strong", { class: "rec-title", text: item.title }),
      details ? h("p", { class: "meta", text: details }) : null,
      item.reason ? h("p", { class: "rec-reason", text: item.reason }) : null,
      (item.tags || []).length ? h("p", { class: "tags" }, item.tags.map((tag) => h("span", { class: "tag", text: `#${tag}` }))) : null),
    h("div", { class: "card-actions" }, like, dislike, status));
  return li;
}

function profileCard(p) {
  const avatar = h("div", { class: "avatar", id: "me-avatar", "aria-hidden": "true", text: ((p.nickname || p.username || "?")[0] || "?").toUpperCase() });
  if (p.avatar_image_id) {
    blobURL(`/api/images/${p.avatar_image_id}`)
      .then((url) => avatar.replaceChildren(h("img", { src: url, alt: "" })))
      .catch(() => {}); // the initial stays
  }
  const blog = /^https?:\/\//i.test(p.blog_url || "") ? h("a", { href: p.blog_url, rel: "noopener noreferrer", target: "_blank", text: p.blog_url }) : null;
  return h("section", { class: "paper profile-card", id: "profile-card", "data-testid": "profile-card" },
    avatar,
    h("div", {},
      h("h2", { id: "profile-name", text: p.nickname || p.username }),
      p.nickname ? h("p", { class: "meta", text: `@${p.username}` }) : null,
      p.bio ? h("p", { id: "profile-bio", text: p.bio }) : h("p", { class: "muted", text: t("me.noBio") }),
      p.birthday ? h("p", { class: "meta", text: t("me.birthday", { date: fmtWallDate(p.birthday) }) }) : null,
      blog ? h("p", { class: "meta" }, blog) : null,
      h("a", { href: "/settings", class: "small-link", text: t("me.editProfile") })));
}
