// The litestar-storages demo page: plain JavaScript, no framework. The one library,
// tus-js-client (resumable uploads), is served by the app from its npm install.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { folder: "", config: null, refreshing: null };

// -- small helpers ---------------------------------------------------------------------

const encodeKey = (key) => key.split("/").map(encodeURIComponent).join("/");
const fileUrl = (key) => "/files/" + encodeKey(key);

function humanSize(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return (unit === 0 ? value : value.toFixed(1)) + " " + units[unit];
}

let toastTimer = 0;
function setStatus(text, isError = false) {
  const box = $("status");
  box.textContent = text;
  box.classList.toggle("error", isError);
  box.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove("show"), isError ? 8000 : 4000);
}

async function errorText(response) {
  const body = await response.json().catch(() => ({}));
  return body.detail || response.statusText || String(response.status);
}

const ICONS = {
  folder: '<path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" fill="currentColor"/>',
  file: '<path d="M7 3h7l5 5v12a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z M14 3v5h5" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round"/>',
  image: '<rect x="3" y="4" width="18" height="16" rx="2" fill="none" stroke="currentColor" stroke-width="1.7"/><circle cx="9" cy="10" r="1.8" fill="currentColor"/><path d="m4 18 5-5 4 4 3-3 4 4" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round"/>',
  audio: '<path d="M9 18V6l10-2v12" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round"/><circle cx="6.5" cy="18" r="2.5" fill="currentColor"/><circle cx="16.5" cy="16" r="2.5" fill="currentColor"/>',
  video: '<rect x="3" y="6" width="13" height="12" rx="2" fill="none" stroke="currentColor" stroke-width="1.7"/><path d="m16 10 5-3v10l-5-3z" fill="currentColor"/>',
  text: '<path d="M7 3h7l5 5v12a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z M9 12h6M9 15h6M9 18h4" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round"/>',
  pdf: '<path d="M7 3h7l5 5v12a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round"/><text x="12.5" y="17" font-size="6" font-weight="700" text-anchor="middle" fill="currentColor" font-family="system-ui">PDF</text>',
};

function icon(kind) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = ICONS[kind] || ICONS.file;
  return svg;
}

const TEXT_TYPES = ["application/json", "application/xml", "application/javascript", "application/x-yaml", "application/toml"];
function previewKind(type) {
  type = (type || "").split(";")[0].trim().toLowerCase();
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("audio/")) return "audio";
  if (type.startsWith("video/")) return "video";
  if (type === "application/pdf") return "pdf";
  if (type.startsWith("text/") || TEXT_TYPES.includes(type)) return "text";
  return null;
}

function element(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name in node && !name.includes("-")) node[name] = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function actionButton(label, action, name, onClick, extra = "") {
  const button = element("button", { type: "button", className: "button quiet small " + extra, textContent: label });
  button.dataset.action = action;
  button.setAttribute("aria-label", label + " " + name);
  button.addEventListener("click", onClick);
  return button;
}

// -- dialogs -----------------------------------------------------------------------------

function ask({ title, message, confirm, danger = true }) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-message").textContent = message;
  const yes = $("confirm-yes");
  yes.textContent = confirm;
  yes.className = "button " + (danger ? "danger" : "primary");
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    dialog.showModal();
    $("confirm-no").focus();  // the safe answer has the focus
  });
}

// -- folders -----------------------------------------------------------------------------

function folderFromHash() {
  const path = decodeURIComponent(window.location.hash.replace(/^#\/?/, ""));
  const parts = path.split("/").filter((part) => part && part !== "." && part !== "..");
  return parts.length ? parts.join("/") + "/" : "";
}

const folderHash = (folder) => "#/" + encodeKey(folder);

function renderBreadcrumbs() {
  const list = $("breadcrumbs");
  const parts = state.folder.split("/").filter(Boolean);
  const items = [];
  const crumb = (label, folder, current) => {
    const item = element("li");
    if (current) item.append(element("span", { textContent: label, "aria-current": "page" }));
    else item.append(element("a", { href: folderHash(folder), textContent: label }));
    return item;
  };
  items.push(crumb("All files", "", parts.length === 0));
  parts.forEach((part, index) => {
    items.push(crumb(part, parts.slice(0, index + 1).join("/") + "/", index === parts.length - 1));
  });
  list.replaceChildren(...items);
}

async function refresh() {
  const folder = state.folder;
  const response = await fetch("/api/files?folder=" + encodeURIComponent(folder));
  if (!response.ok) { setStatus("Could not list the files: " + (await errorText(response)), true); return; }
  const listing = await response.json();
  if (folder !== state.folder) return;  // the user moved on meanwhile
  renderBreadcrumbs();
  const rows = [];
  for (const sub of listing.folders) {
    const name = sub.slice(folder.length).replace(/\/$/, "");
    const link = element("a", { href: folderHash(sub), textContent: name });
    const row = element("tr", { dataset: { folder: sub } }, [
      element("td", { className: "name" }, [element("div", { className: "name-cell" }, [icon("folder"), link])]),
      element("td", { className: "size" }),
      element("td", { className: "type", textContent: "Folder" }),
      element("td", { className: "modified" }),
      element("td", { className: "actions" }),
    ]);
    rows.push(row);
  }
  for (const file of listing.files) rows.push(fileRow(file, folder));
  $("files").replaceChildren(...rows);
  $("empty").hidden = rows.length !== 0;
}

function scheduleRefresh() {
  clearTimeout(state.refreshing);
  state.refreshing = setTimeout(refresh, 50);
}

function fileRow(file, folder) {
  const name = file.key.slice(folder.length);
  const kind = previewKind(file.content_type);
  const modified = file.last_modified ? new Date(file.last_modified) : null;
  const download = element("a", {
    className: "button quiet small", href: fileUrl(file.key) + "?download=true", textContent: "Download",
  });
  download.dataset.action = "download";
  download.setAttribute("aria-label", "Download " + name);
  const actions = element("div", { className: "actions-wrap" }, [
    actionButton("Preview", "open", name, () => openPreview(file)),
    download,
    actionButton("Copy link", "copy", name, () => copyLink(file.key)),
    actionButton("Delete", "delete", name, () => removeFile(file.key), "delete"),
  ]);
  const size = element("td", { className: "size", textContent: humanSize(file.size), title: file.size + " bytes" });
  return element("tr", { dataset: { key: file.key } }, [
    element("td", { className: "name" }, [
      element("div", { className: "name-cell" }, [icon(kind || "file"), element("span", { textContent: name })]),
    ]),
    size,
    element("td", { className: "type", textContent: file.content_type || "" }),
    element("td", {
      className: "modified",
      textContent: modified ? modified.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "",
    }),
    element("td", { className: "actions" }, [actions]),
  ]);
}

function newFolder() {
  const dialog = $("folder-dialog");
  const input = $("folder-name");
  input.value = "";
  // Enter means "Open folder" (the form's first button, its implicit submit, is Cancel).
  input.onkeydown = (event) => {
    if (event.key === "Enter" && input.value.trim()) { event.preventDefault(); dialog.close("yes"); }
  };
  dialog.returnValue = "";
  dialog.addEventListener("close", () => {
    const name = input.value.trim();
    if (dialog.returnValue !== "yes" || !name) return;
    if (name.includes("/") || name.includes("\\") || name === "." || name === "..") {
      setStatus("A folder name cannot contain / or \\, nor be . or ..", true);
      return;
    }
    window.location.hash = folderHash(state.folder + name + "/");
    setStatus("Folder " + name + " opened: upload files to keep it");
  }, { once: true });
  dialog.showModal();
}

// -- preview -----------------------------------------------------------------------------

async function openPreview(file) {
  const dialog = $("preview");
  const body = $("preview-body");
  $("preview-title").textContent = file.key.split("/").pop();
  $("preview-title").title = file.key;
  dialog.dataset.key = file.key;
  $("preview-download").href = fileUrl(file.key) + "?download=true";
  const kind = previewKind(file.content_type);
  let media;
  if (kind === "image") {
    media = element("img", { alt: file.key, src: fileUrl(file.key) });
  } else if (kind === "audio" || kind === "video") {
    media = element(kind, { controls: true, preload: "metadata", src: fileUrl(file.key) });
  } else if (kind === "pdf") {
    media = element("iframe", { title: "PDF: " + file.key, src: fileUrl(file.key) });
  } else if (kind === "text") {
    media = element("pre", { textContent: "Loading…", tabIndex: 0 });
    const limit = 64 * 1024;
    fetch(fileUrl(file.key), { headers: { Range: "bytes=0-" + (limit - 1) } })
      .then((response) => response.text())
      .then((text) => { media.textContent = text + (file.size > limit ? "\n… (the first 64 KiB)" : ""); })
      .catch(() => { media.textContent = "Could not load the text."; });
  } else {
    media = element("p", { className: "no-preview", textContent: "No preview for " + (file.content_type || "this type") + ": download it instead." });
  }
  media.id = "preview-media";
  body.replaceChildren(media);
  if (!dialog.open) dialog.showModal();
  $("preview-close").focus();
}

function closePreview() {
  $("preview").close();
}

// -- links and delete --------------------------------------------------------------------

async function copyLink(key) {
  const response = await fetch("/api/links/" + encodeKey(key));
  if (!response.ok) { setStatus("No link for " + key + ": " + (await errorText(response)), true); return; }
  const { url } = await response.json();
  const absolute = new URL(url, window.location.href).href;
  $("share").hidden = false;
  $("share").dataset.key = key;
  const field = $("link");
  field.value = absolute;
  field.focus();
  field.select();
  try {
    await navigator.clipboard.writeText(absolute);
    setStatus("Link copied: valid for an hour");
  } catch {
    setStatus("Link ready below: copy it from there");
  }
}

async function removeFile(key) {
  const name = key.split("/").pop();
  const where = key.length > name.length ? " (in " + key.slice(0, key.length - name.length) + ")" : "";
  const yes = await ask({
    title: "Delete " + name + "?",
    message: "The file" + where + " is removed from the storage, and its links stop working. This cannot be undone.",
    confirm: "Delete",
  });
  if (!yes) return;
  const response = await fetch("/api/files/" + encodeKey(key), { method: "DELETE" });
  if (!response.ok) { setStatus("Could not delete " + key + ": " + (await errorText(response)), true); return; }
  setStatus("Deleted " + name);
  if ($("preview").open && $("preview").dataset.key === key) closePreview();
  if ($("share").dataset.key === key) $("share").hidden = true;
  await refresh();
  $("files-heading").focus();
}

// -- uploads -----------------------------------------------------------------------------

const METHOD_HINTS = {
  tus: "Resumable: pause and resume, or lose the connection and carry on where it stopped.",
  direct: "Each file goes straight from your browser to the storage through a signed URL; this app only signs it.",
  form: "One request per file through this app, with progress and cancel (no resume).",
};

const FINISHED = '#uploads li:is([data-state="done"], [data-state="cancelled"])';

function updateClearButton() {
  $("clear-finished").hidden = document.querySelectorAll(FINISHED).length === 0;
}

function folderNote(key, name) {
  const folder = key.slice(0, key.length - name.length);
  return folder ? [element("span", { className: "upload-folder", textContent: "in " + folder })] : [];
}

class Upload {
  constructor(file, key, overwrite) {
    this.file = file;
    this.key = key;
    this.overwrite = overwrite;
    this.method = $("method").value;
    this.progress = element("progress", { max: 100, value: 0 });
    this.progress.setAttribute("aria-label", "Upload of " + key);
    this.stateText = element("span", { className: "upload-state", textContent: "Waiting" });
    this.buttons = {
      pause: actionButton("Pause", "pause", key, () => this.pause()),
      resume: actionButton("Resume", "resume", key, () => this.resume()),
      cancel: actionButton("Cancel", "cancel", key, () => this.cancel(), "delete"),
      dismiss: actionButton("Dismiss", "dismiss", key, () => { this.item.remove(); updateClearButton(); }),
    };
    this.item = element("li", { className: "upload", dataset: { key, state: "waiting" } }, [
      element("div", { className: "upload-head" }, [
        element("span", { className: "upload-name", textContent: file.name, title: key }, folderNote(key, file.name)),
        this.stateText,
      ]),
      this.progress,
      element("div", { className: "upload-actions" }, Object.values(this.buttons)),
    ]);
    this.show("waiting", "Waiting");
    $("uploads").prepend(this.item);
  }

  show(stateName, text) {
    this.item.dataset.state = stateName;
    updateClearButton();
    this.stateText.textContent = text;
    const resumable = this.method === "tus";
    this.buttons.pause.hidden = !(resumable && stateName === "uploading");
    this.buttons.resume.hidden = !(resumable && (stateName === "paused" || stateName === "error"));
    this.buttons.cancel.hidden = !["waiting", "uploading", "paused", "error"].includes(stateName);
    this.buttons.dismiss.hidden = !["done", "cancelled", "error"].includes(stateName) || (resumable && stateName === "error");
  }

  onProgress(sent, total) {
    const percent = total ? Math.floor((sent / total) * 100) : 100;
    this.progress.value = percent;
    if (this.item.dataset.state === "uploading" || this.item.dataset.state === "waiting") {
      this.show("uploading", percent + "% · " + humanSize(sent) + " of " + humanSize(total));
    }
  }

  done() {
    this.progress.value = 100;
    this.show("done", "Uploaded · " + humanSize(this.file.size));
    scheduleRefresh();
  }

  fail(message) {
    this.show("error", "Failed: " + message);
    setStatus("Upload of " + this.key + " failed: " + message, true);
  }

  start() {
    this.show("uploading", "Starting…");
    if (this.method === "tus") this.startTus();
    else if (this.method === "direct") this.startDirect();
    else this.startForm();
  }

  // Resumable: tus-js-client keeps the upload's URL; pause aborts the request, resume asks
  // the server for its offset (HEAD) and sends the rest. A dropped connection is retried.
  startTus() {
    const config = state.config;
    this.tus = new window.tus.Upload(this.file, {
      endpoint: config.tus,
      chunkSize: config.tusChunkSize || Infinity,
      retryDelays: [0, 500, 1500, 3000, 6000],
      removeFingerprintOnSuccess: true,
      metadata: {
        filename: this.file.name,
        filetype: this.file.type || "application/octet-stream",
        folder: state.folder,
        overwrite: this.overwrite ? "true" : "false",
      },
      onProgress: (sent, total) => this.onProgress(sent, total),
      onSuccess: () => this.done(),
      onError: (error) => this.fail(String(error.message || error).split("\n")[0]),
    });
    this.tus.findPreviousUploads().then((previous) => {
      if (previous.length) this.tus.resumeFromPreviousUpload(previous[0]);
      this.tus.start();
    });
  }

  pause() {
    if (!this.tus) return;
    this.tus.abort();
    this.show("paused", "Paused at " + this.progress.value + "%");
  }

  resume() {
    if (!this.tus) return;
    this.show("uploading", "Resuming…");
    this.tus.start();
  }

  async cancel() {
    if (this.tus) {
      await this.tus.abort(true).catch(() => {});  // true: the server drops what it received
    }
    if (this.xhr) this.xhr.abort();
    this.show("cancelled", "Cancelled");
  }

  send(method, url, body, headers = {}) {
    const xhr = new XMLHttpRequest();
    this.xhr = xhr;
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener("progress", (event) => this.onProgress(event.loaded, event.total || this.file.size));
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) { this.done(); return; }
      let detail = xhr.statusText || String(xhr.status);
      try { detail = JSON.parse(xhr.responseText).detail || detail; } catch { /* not JSON */ }
      this.fail(detail);
    });
    xhr.addEventListener("error", () => this.fail("the connection was lost"));
    xhr.send(body);
  }

  startForm() {
    const form = new FormData();
    form.append("file", this.file, this.file.name);
    const query = "?folder=" + encodeURIComponent(state.folder) + "&overwrite=" + this.overwrite;
    this.send("POST", "/api/files" + query, form);
  }

  // Straight to the storage: the app signs a PUT URL, the browser sends the bytes there.
  async startDirect() {
    const response = await fetch("/api/direct-uploads", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: this.file.name, folder: state.folder }),
    });
    if (!response.ok) { this.fail(await errorText(response)); return; }
    const signed = await response.json();
    if (this.item.dataset.state === "cancelled") return;
    this.send("PUT", signed.url, this.file, signed.headers);
  }
}

async function uploadFiles(fileList) {
  const files = Array.from(fileList);
  for (const file of files) {
    const key = state.folder + file.name;
    let overwrite = false;
    const check = await fetch("/api/exists/" + encodeKey(key));
    if (!check.ok) { setStatus("Cannot upload " + file.name + ": " + (await errorText(check)), true); continue; }
    if ((await check.json()).exists) {
      overwrite = await ask({
        title: "Replace " + file.name + "?",
        message: "A file named " + file.name + " already exists in " + (state.folder || "this folder") + ". Uploading replaces it.",
        confirm: "Replace",
      });
      if (!overwrite) { setStatus("Kept the existing " + file.name); continue; }
    }
    new Upload(file, key, overwrite).start();
  }
}

// -- start -------------------------------------------------------------------------------

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = element("script", { src });
    script.addEventListener("load", resolve);
    script.addEventListener("error", reject);
    document.head.append(script);
  });
}

async function init() {
  const response = await fetch("/api/config");
  state.config = await response.json();
  $("backend").textContent = state.config.backend;
  const select = $("method");
  if (state.config.tus) {
    try { await loadScript("/vendor/tus.min.js"); } catch { state.config.tus = null; }
  }
  const available = { tus: Boolean(state.config.tus), direct: state.config.direct, form: true };
  for (const option of select.options) {
    option.disabled = !available[option.value];
    if (option.disabled) option.textContent += " (not available)";
  }
  select.value = available.tus ? "tus" : available.direct ? "direct" : "form";
  const hint = () => { $("method-hint").textContent = METHOD_HINTS[select.value]; };
  select.addEventListener("change", hint);
  hint();

  const dropzone = $("dropzone");
  for (const name of ["dragenter", "dragover"]) {
    dropzone.addEventListener(name, (event) => { event.preventDefault(); dropzone.classList.add("dragging"); });
  }
  for (const name of ["dragleave", "drop"]) {
    dropzone.addEventListener(name, (event) => { event.preventDefault(); dropzone.classList.remove("dragging"); });
  }
  dropzone.addEventListener("drop", (event) => uploadFiles(event.dataTransfer.files));
  $("file-input").addEventListener("change", (event) => {
    uploadFiles(event.target.files).then(() => { event.target.value = ""; });
  });
  $("new-folder").addEventListener("click", newFolder);
  $("clear-finished").addEventListener("click", () => {
    document.querySelectorAll(FINISHED).forEach((item) => item.remove());
    updateClearButton();
  });
  $("preview-close").addEventListener("click", closePreview);
  $("preview").addEventListener("close", () => $("preview-body").replaceChildren());  // stops playback
  $("copy-link").addEventListener("click", async () => {
    $("link").select();
    try { await navigator.clipboard.writeText($("link").value); setStatus("Link copied"); }
    catch { setStatus("Select the link and copy it by hand", true); }
  });
  window.addEventListener("hashchange", () => { state.folder = folderFromHash(); refresh(); });
  state.folder = folderFromHash();
  document.body.dataset.ready = "true";
  await refresh();
}

init();
