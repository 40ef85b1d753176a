// Write a letter: title, content, open date and time in the writer's zone,
// up to five images uploaded as they are chosen (with previews and
// progress), then one POST /api/letters.
import { api, upload } from "../api.js";
import { busy, clearErrors, errorText, field, formSlot, h, pageHead, showError } from "../dom.js";
import { addYears, fmtWallDate, t, todayIn, zone } from "../i18n.js";

const MAX_IMAGES = 5;
const MAX_BYTES = 5 << 20; // letter-storage's limit, checked here only to say so early
const TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];

// deviceZone is the zone this device is set to, which may not be the
// profile's (a trip abroad): the letter follows the profile.
const deviceZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function writePage(ctx) {
  const today = todayIn(zone());
  const images = []; // {file, id, li, done}
  const submit = h("button", { type: "submit", id: "write-submit", "data-testid": "write-submit", text: t("write.submit") });
  const list = h("ul", { class: "image-list", id: "image-list", "data-testid": "image-list" });
  const picker = h("input", { type: "file", id: "write-images", "data-testid": "write-images", accept: TYPES.join(","), multiple: true, "aria-describedby": "write-images-hint write-images-error" });
  const pickerError = h("p", { class: "field-error", id: "write-images-error", "data-error-for": "image_ids", hidden: true });
  const count = h("span", { id: "image-count", text: t("write.imageCount", { n: 0, max: MAX_IMAGES }) });

  const uploading = () => images.some((im) => !im.done);
  const refresh = () => {
    count.textContent = t("write.imageCount", { n: images.length, max: MAX_IMAGES });
    picker.disabled = images.length >= MAX_IMAGES;
    submit.disabled = uploading();
  };

  function addImage(file) {
    const preview = URL.createObjectURL(file);
    const bar = h("progress", { max: 100, value: 0, "aria-label": t("write.uploading", { name: file.name }) });
    const status = h("span", { class: "image-status", role: "status", text: t("write.uploadingShort") });
    const remove = h("button", { type: "button", class: "secondary small", "data-testid": "image-remove", text: t("common.remove"), "aria-label": t("write.removeImage", { name: file.name }) });
    const li = h("li", { class: "image-item", "data-testid": "image-item" },
      h("img", { src: preview, alt: t("write.previewAlt", { name: file.name }) }), bar, status, remove);
    const im = { file, id: null, li, done: false };
    images.push(im);
    list.append(li);
    remove.addEventListener("click", () => {
      images.splice(images.indexOf(im), 1);
      li.remove();
      URL.revokeObjectURL(preview);
      refresh();
      picker.focus();
    });
    refresh();
    if (!TYPES.includes(file.type) || file.size > MAX_BYTES) {
      fail(im, bar, status, t(file.size > MAX_BYTES ? "write.tooLarge" : "write.badType"));
      return;
    }
    upload(file, (f) => (bar.value = Math.round(f * 100)))
      .then((body) => {
        im.id = body.id;
        im.done = true;
        li.dataset.imageId = body.id;
        bar.value = 100;
        status.textContent = t("write.uploaded");
        refresh();
      })
      .catch((err) => fail(im, bar, status, err.status === 413 ? t("write.tooLarge") : err.status === 415 ? t("write.badType") : errorText(err)));
  }

  // A failed image stays in the list, marked, until it is removed: the
  // letter is not sent with it.
  function fail(im, bar, status, message) {
    im.done = true;
    im.failed = true;
    bar.hidden = true;
    status.textContent = message;
    status.classList.add("bad");
    im.li.classList.add("failed");
    refresh();
  }

  picker.addEventListener("change", () => {
    pickerError.hidden = true;
    const files = [...picker.files];
    const room = MAX_IMAGES - images.length;
    if (files.length > room) {
      pickerError.textContent = t("write.tooMany", { max: MAX_IMAGES });
      pickerError.hidden = false;
    }
    files.slice(0, room).forEach(addImage);
    picker.value = "";
  });

  const opensAt = h("p", { class: "hint", id: "write-opens", "data-testid": "write-opens", "aria-live": "polite" });
  const form = h("form", { id: "write-form", class: "paper form", novalidate: true },
    field({ name: "title", label: t("field.title"), required: true, maxlength: 200, autocomplete: "off" }),
    field({ name: "content", label: t("field.content"), type: "textarea", required: true, rows: 10 }),
    h("div", { class: "row" },
      field({ name: "open_date", label: t("field.openDate"), type: "date", required: true, min: today, max: addYears(today, 100), value: today }),
      field({ name: "open_time", label: t("field.openTime"), type: "time", required: true, value: "09:00" })),
    h("p", { class: "zone-note", id: "write-zone", "data-testid": "write-zone" }, t("write.zone", { zone: zone() }), " ", h("a", { href: "/settings#timezone", text: t("write.changeZone") })),
    deviceZone() !== zone() ? h("p", { class: "hint", id: "write-zone-differs", text: t("write.zoneDiffers", { device: deviceZone() }) }) : null,
    opensAt,
    h("fieldset", { class: "images" },
      h("legend", { text: t("write.images") }),
      h("label", { for: "write-images", class: "file-label", text: t("write.chooseImages") }),
      picker,
      h("p", { class: "hint", id: "write-images-hint" }, count, " · ", t("write.imageHint")),
      pickerError,
      list),
    formSlot(),
    h("div", { class: "actions" }, submit));

  const dateInput = form.elements.namedItem("open_date");
  const timeInput = form.elements.namedItem("open_time");
  const explain = () => {
    opensAt.textContent = dateInput.value && timeInput.value ? t("write.opensAt", { date: fmtWallDate(dateInput.value), time: timeInput.value, zone: zone() }) : "";
  };
  dateInput.addEventListener("input", explain);
  timeInput.addEventListener("input", explain);
  explain();

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (uploading()) return;
    const v = Object.fromEntries(new FormData(form));
    busy(submit, true);
    try {
      const letter = await api("POST", "/api/letters", {
        title: v.title,
        content: v.content,
        open_date: v.open_date,
        open_time: v.open_time || "09:00",
        image_ids: images.filter((im) => im.id && !im.failed).map((im) => im.id),
      });
      for (const im of images) URL.revokeObjectURL(im.li.querySelector("img").src);
      if (letter.sealed) ctx.navigate(`/letters?tab=${letter.open_date === today ? "today" : "future"}&written=${letter.id}`);
      else ctx.navigate(`/letters/${letter.id}`);
    } catch (err) {
      showError(form, err);
    } finally {
      busy(submit, false);
      refresh();
    }
  });

  return h("div", { class: "stack" }, pageHead(t("write.title"), t("write.lead")), form);
}
