"use strict";
const STAGES = { queued: [10, "Waiting in the queue"], grayscale: [40, "Turning gray"], scaling: [75, "Scaling in the worker"],
                 done: [100, "Done"], failed: [100, "Failed"], cancelled: [100, "Cancelled"] };
const FINAL = new Set(["done", "failed", "cancelled"]);
const $ = (id) => document.getElementById(id);
let chosen = [];

// API keys (docs/many-users.md): asked for on a 401, kept for this tab only.
const KEY = "graypipe-api-key";
function withKey(options = {}) {
  const key = sessionStorage.getItem(KEY);
  return key ? { ...options, headers: { ...(options.headers || {}), Authorization: "Bearer " + key } } : options;
}
async function api(url, options = {}) {
  let response = await fetch(url, withKey(options));
  if (response.status === 401) {
    const key = prompt("This graypipe needs an API key (kept for this tab only):");
    if (key && key.trim()) {
      sessionStorage.setItem(KEY, key.trim());
      response = await fetch(url, withKey(options));
    }
  }
  return response;
}
// An <img> or a download link cannot send a key: with one, the bytes are fetched and shown from a blob.
function showBlob(url, use) {
  if (!sessionStorage.getItem(KEY)) { use(url); return; }
  api(url).then((r) => r.blob()).then((b) => use(URL.createObjectURL(b)));
}
// EventSource cannot send a key either: with one, the stream is read with fetch.
function openEvents(url) {
  if (!sessionStorage.getItem(KEY)) return new EventSource(url);
  const events = new EventTarget(), abort = new AbortController();
  events.close = () => abort.abort();
  fetch(url, withKey({ signal: abort.signal })).then(async (r) => {
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        let type = "message"; const data = [];
        for (const line of buffer.slice(0, end).split("\n")) {
          if (line.startsWith("event:")) type = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        buffer = buffer.slice(end + 2);
        if (data.length) events.dispatchEvent(new MessageEvent(type, { data: data.join("\n") }));
      }
    }
  }).catch(() => {});
  return events;
}

function plainError(body, status) {
  if (body && body.error && body.error.message) return body.error.message;
  if (status === 0) return "The server could not be reached. Is graypipe still running?";
  return "The server answered with status " + status + ".";
}

function choose(files) {
  chosen = Array.from(files);
  $("chosen").textContent = chosen.length ? chosen.length + " file(s) chosen: " + chosen.map((f) => f.name).join(", ") : "No files chosen.";
  $("upload").disabled = chosen.length === 0;
}

const drop = $("drop");
drop.addEventListener("click", () => $("files").click());
drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("files").click(); } });
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); choose(e.dataTransfer.files); });
$("files").addEventListener("change", (e) => choose(e.target.files));

function showMessage(text) {
  $("message").innerHTML = "";
  if (text) { const p = document.createElement("p"); p.className = "alert"; p.textContent = text; $("message").appendChild(p); }
}

function variantName(chain) {
  // Mirrors OpChain.variantName() for display; the front's archive uses the real one.
  if (!chain) return "gray";
  return chain.split(",").map((op) => op.replace(/:/, "-").replace(/,/g, "-")).join("_").replace(/[^A-Za-z0-9._-]+/g, "-");
}

function addVariant(chain) {
  const row = document.createElement("div");
  row.className = "variant";
  row.innerHTML = '<input class="chain" aria-label="Op chain of this variant" placeholder="e.g. sepia or blur:2,contrast:1.3">' +
    '<button type="button" class="secondary remove">Remove</button>';
  row.querySelector(".chain").value = chain || "";
  row.querySelector(".remove").addEventListener("click", () => { if ($("variants").children.length > 1) row.remove(); });
  $("variants").appendChild(row);
}
addVariant("");
$("add-variant").addEventListener("click", () => addVariant(""));

let catalogue = [];
function showParams() {
  const op = catalogue.find((o) => o.name === $("op-name").value);
  $("op-params").innerHTML = "";
  if (!op) return;
  $("op-help").textContent = op.syntax + ": " + (op.description || "");
  for (const p of op.parameters || []) {
    const label = document.createElement("label");
    label.textContent = p.name;
    let input;
    if (p.type === "choice") {
      input = document.createElement("select");
      for (const c of p.choices) { const o = document.createElement("option"); o.value = o.textContent = c; input.appendChild(o); }
    } else {
      input = document.createElement("input");
      input.type = p.type === "text" ? "text" : "number";
      if (p.type !== "text") {
        if (p.min !== null && p.min !== undefined) input.min = p.min;
        if (p.max !== null && p.max !== undefined) input.max = p.max;
        input.step = p.type === "integer" ? "1" : "any";
      }
      const dflt = p.default_value !== undefined ? p.default_value : p.default;
      if (dflt !== null && dflt !== undefined) input.value = dflt;
    }
    input.className = "op-param";
    input.title = p.description || "";
    label.appendChild(input);
    $("op-params").appendChild(label);
  }
}
async function loadOps() {
  try {
    const response = await api("/ops");
    if (!response.ok) { $("op-help").textContent = "This server applies no filters (no GET /ops): variants are plain gray chains you type."; return; }
    const body = await response.json();
    catalogue = Array.isArray(body) ? body : (body.ops || []);
    for (const op of catalogue) { const o = document.createElement("option"); o.value = o.textContent = op.name; $("op-name").appendChild(o); }
    $("op-builder").hidden = catalogue.length === 0;
    $("op-name").addEventListener("change", showParams);
    showParams();
  } catch (e) {
    $("op-help").textContent = "The filter list could not be loaded.";
  }
}
loadOps();
$("add-op").addEventListener("click", () => {
  const values = Array.from(document.querySelectorAll("#op-params .op-param")).map((i) => i.value).filter((v) => v !== "");
  const op = $("op-name").value + (values.length ? ":" + values.join(values.length > 1 && $("op-name").value === "resize" ? "x" : ":") : "");
  const inputs = document.querySelectorAll("#variants .chain");
  const last = inputs[inputs.length - 1];
  last.value = last.value ? last.value + "," + op : op;
});

function card(file) {
  const el = document.createElement("article");
  el.className = "item";
  el.innerHTML = '<h3></h3><div class="stage">Uploading…</div><progress max="100" value="5"></progress>' +
    '<div class="item-body"><div class="original-box"><figure><img class="original" alt=""><figcaption>Original</figcaption></figure></div>' +
    '<div class="outputs"></div></div><p class="error" hidden></p>';
  el.querySelector("h3").textContent = file.name;
  const original = el.querySelector("img.original");
  if (file.type.startsWith("image/")) { original.src = URL.createObjectURL(file); original.alt = "Original of " + file.name; }
  else {
    const note = document.createElement("p");
    note.className = "stage";
    note.textContent = "No preview: this file does not look like an image.";
    original.replaceWith(note);
  }
  $("items").appendChild(el);
  return el;
}

function fail(el, text) {
  el.classList.add("failed");
  el.querySelector(".stage").textContent = STAGES.failed[1];
  el.querySelector("progress").value = 100;
  const p = el.querySelector(".error");
  p.hidden = false;
  p.textContent = "Could not process this file: " + text;
}

// One run: its batch, its groups (variant × mode) and what each task belongs to.
let run = null;

function groupKey(variant, mode) { return variant + "|" + (mode || "default"); }

function onTask(status) {
  const t = run && run.tasks.get(status.id);
  if (!t) { if (run) run.early.set(status.id, status); return; }
  if (t.final) return;
  const el = t.card;
  const [percent, words] = STAGES[status.status] || [0, status.status];
  if (status.status === "done") {
    t.final = true; t.group.done++; settle(t.group);
    const fig = document.createElement("figure");
    fig.className = "output";
    const img = document.createElement("img");
    img.className = "result";
    showBlob("/tasks/" + status.id + "/result", (src) => { img.src = src; });
    img.alt = t.group.variant + " (" + (t.group.mode || "default") + ") of " + t.filename;
    const cap = document.createElement("figcaption");
    cap.textContent = t.group.variant + " · " + (t.group.mode || "default") + " · " + status.output.width + "×" + status.output.height
      + " · " + status.output.format.toUpperCase() + " · " + status.output.bytes.toLocaleString("en") + " bytes";
    if (status.input) {
      el.querySelector(".original-box figcaption").textContent = "Original · " + status.input.width + "×" + status.input.height
        + " · " + status.input.format.toUpperCase() + " · " + status.input.bytes.toLocaleString("en") + " bytes";
    }
    fig.append(img, cap);
    el.querySelector(".outputs").appendChild(fig);
  } else if (FINAL.has(status.status)) {
    t.final = true; t.group.failed++; settle(t.group);
    fail(el, status.error ? status.error.message : "The task was " + status.status + ".");
  }
  if (t.final) {
    t.group.end = performance.now();
    t.card.finals = (t.card.finals || 0) + 1;
    const all = t.card.finals >= run.tasksPerFile;
    if (all && !el.classList.contains("failed")) { el.classList.add("done"); el.querySelector(".stage").textContent = "Done"; }
    el.querySelector("progress").value = Math.round(100 * t.card.finals / run.tasksPerFile);
  } else {
    el.querySelector(".stage").textContent = words;
    el.querySelector("progress").value = Math.max(el.querySelector("progress").value, percent / run.tasksPerFile);
  }
  renderGroups();
}

/** Resolves a group's promise once every one of its images is final. */
function settle(group) {
  if (group.done + group.failed >= group.total) group.resolve();
}

function renderGroups() {
  const body = $("groups").querySelector("tbody");
  body.innerHTML = "";
  for (const g of run.groups.values()) {
    const finished = g.done + g.failed;
    const seconds = ((g.end || performance.now()) - (g.start || performance.now())) / 1000;
    const rate = g.start && seconds > 0 ? (finished / seconds).toFixed(2) : "–";
    const row = document.createElement("tr");
    row.dataset.group = groupKey(g.variant, g.mode);
    for (const text of [g.variant, g.mode || "default", Math.round(100 * finished / g.total) + "%", rate, g.done, g.failed]) {
      const td = document.createElement("td"); td.textContent = text; row.appendChild(td);
    }
    body.appendChild(row);
  }
}

function renderComparison() {
  const modes = new Set(Array.from(run.groups.values()).map((g) => g.mode));
  if (!(modes.has("processes") && modes.has("threads"))) return;
  const body = $("comparison").querySelector("tbody");
  body.innerHTML = "";
  const rate = (g) => (g.done + g.failed) / ((g.end - g.start) / 1000);
  for (const variant of run.variants) {
    const p = run.groups.get(groupKey(variant, "processes"));
    const t = run.groups.get(groupKey(variant, "threads"));
    for (const g of [p, t]) {
      const wall = (g.end - g.start) / 1000;
      const row = document.createElement("tr");
      const cells = [variant, g.mode, wall.toFixed(2), (1000 * wall / g.total).toFixed(1), rate(g).toFixed(2),
                     g === t ? (rate(t) / rate(p)).toFixed(2) : ""];
      for (const text of cells) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); }
      body.appendChild(row);
    }
  }
  $("comparison-box").hidden = false;
}

function followBatch(batchId, done) {
  const events = openEvents("/batches/" + batchId + "/events");
  const show = (b) => {
    $("f-batch").textContent = b.done + " / " + b.total + (b.failed ? " (" + b.failed + " failed)" : "");
    $("f-failures").textContent = b.failed;
    $("f-cache").textContent = b.cache_hits || 0;
  };
  events.addEventListener("progress", (e) => { const b = JSON.parse(e.data); show(b); (b.tasks || []).forEach((i) => onTask(i.task)); });
  events.addEventListener("task", (e) => { const d = JSON.parse(e.data); show(d.batch); onTask(d.task); });
  events.addEventListener("done", (e) => { const b = JSON.parse(e.data); show(b); (b.tasks || []).forEach((i) => onTask(i.task)); events.close(); done(b); });
  events.onerror = () => { if (events.readyState === EventSource.CLOSED) showMessage("Lost the live connection to the server."); };
}

async function post(url, body, headers) {
  let response, json = null;
  try {
    response = await api(url, { method: "POST", body, headers });
    json = await response.json().catch(() => null);
  } catch (e) {
    response = { ok: false, status: 0 };
  }
  if (!response.ok) throw new Error(plainError(json, response.status));
  return json;
}

$("upload").addEventListener("click", async () => {
  showMessage("");
  const files = chosen;
  if (!files.length) return;
  const chains = Array.from(document.querySelectorAll("#variants .chain")).map((i) => i.value.trim());
  const modes = $("mode").value === "both" ? ["processes", "threads"] : [$("mode").value];
  $("items").innerHTML = "";
  const cards = files.map(card);
  $("upload").disabled = true;
  $("download-all").hidden = true;
  $("comparison-box").hidden = true;
  try {
    const batch = await post("/batches");
    run = { id: batch.id, tasks: new Map(), early: new Map(), groups: new Map(), variants: chains.map(variantName),
            tasksPerFile: chains.length * modes.length };
    for (const mode of modes) for (const chain of chains) {
      const group = { variant: variantName(chain), mode, total: files.length, done: 0, failed: 0 };
      group.finished = new Promise((resolve) => { group.resolve = resolve; });
      run.groups.set(groupKey(group.variant, mode), group);
    }
    $("groups-panel").hidden = false;
    renderGroups();
    const finished = new Promise((resolve) => followBatch(batch.id, resolve));
    // Modes one after the other, so each has the worker to itself and its own wall time.
    for (const mode of modes) {
      const groups = chains.map((chain) => run.groups.get(groupKey(variantName(chain), mode)));
      const answers = [];
      for (const [i, chain] of chains.entries()) {
        const form = new FormData();
        for (const f of files) form.append("image", f, f.name);
        const query = new URLSearchParams({ batch: batch.id, scale: $("scale").value });
        if ($("format").value) query.set("format", $("format").value);
        if (mode) query.set("mode", mode);
        if (chain) query.set("ops", chain);
        groups[i].start = performance.now();
        // format=auto follows Accept: this page shows AVIF and WebP, as every current browser does.
        const accept = { Accept: "application/json, image/avif, image/webp" };
        answers.push(post("/tasks?" + query, form, accept).then((body) => ({ body, group: groups[i] })));
      }
      for (const { body, group } of await Promise.all(answers)) {
        body.tasks.forEach((entry, i) => {
          if (entry.error) { group.failed++; settle(group); fail(cards[i], entry.error.message); return; }
          run.tasks.set(entry.id, { card: cards[i], group, filename: files[i].name, final: false });
          const early = run.early.get(entry.id);
          if (early) onTask(early);
        });
      }
      await Promise.all(groups.map((g) => g.finished));
    }
    await post("/batches/" + batch.id + "/close");
    await finished;
    renderGroups();
    renderComparison();
    const link = $("download-all");
    link.href = "/batches/" + batch.id + "/archive";
    link.setAttribute("download", "graypipe-" + batch.id + ".zip");
    link.removeAttribute("aria-disabled");
    link.onclick = sessionStorage.getItem(KEY) ? (e) => {
      e.preventDefault();
      showBlob(link.href, (src) => { const a = document.createElement("a"); a.href = src; a.download = link.getAttribute("download"); a.click(); });
    } : null;
    link.hidden = false;
  } catch (e) {
    showMessage("The upload was refused: " + e.message);
    cards.forEach((el) => { if (!el.classList.contains("done")) fail(el, e.message); });
  } finally {
    $("upload").disabled = false;
  }
});

async function refreshFigures() {
  try {
    const response = await fetch("/stats", withKey());
    if (response.status === 401) { $("f-clients").textContent = "needs a key"; return; }
    const stats = await response.json();
    const shares = Object.entries(stats.clients || {}).filter(([, c]) => c.images > 0);
    $("f-clients").textContent = shares.length ? shares.map(([name, c]) => name + " " + Math.round(c.share * 100) + "%"
        + (c.rate_limited ? " (" + c.rate_limited + " × 429)" : "")).join(" · ") : "–";
    $("f-rate").textContent = stats.rates.images_per_second;
    $("f-inflight").textContent = stats.tasks.in_flight;
    $("f-workers").textContent = stats.pool.reachable ? stats.pool.busy + " / " + stats.pool.alive : "unreachable";
    const ratio = stats.cache && stats.cache.hit_ratio;
    $("f-ratio").textContent = ratio == null ? "–" : Math.round(ratio * 100) + "%";
  } catch (e) {
    $("f-workers").textContent = "server unreachable";
  }
}
refreshFigures();
setInterval(refreshFigures, 1000);

// Each chosen file is described by POST /info (no processing) with the chosen scale and format, before anything
// is uploaded for processing.
(function () {
  let files = [];
  let generation = 0;

  function bytes(n) { return n.toLocaleString("en") + " bytes"; }

  function describe(info) {
    const parts = [info.format.toUpperCase() + " " + info.width + "×" + info.height];
    if (info.orientation !== 1) parts.push("EXIF orientation " + info.orientation + ", upright " + info.upright_width + "×" + info.upright_height);
    parts.push(info.colour_model + " " + info.bits_per_sample + "-bit" + (info.has_alpha ? " with alpha" : ""));
    if (info.icc.present) parts.push("ICC profile" + (info.icc.description ? " " + info.icc.description : ""));
    if (info.animated) parts.push((info.frames ? info.frames + " frames" : "animated") + " (the first is used)");
    if (info.exif) {
      const camera = [info.exif.make, info.exif.model].filter(Boolean).join(" ");
      if (camera) parts.push(camera);
      if (info.exif.date_taken) parts.push("taken " + info.exif.date_taken);
      if (info.exif.gps_present) parts.push("has GPS position");
    }
    parts.push(bytes(info.bytes));
    return parts.join(" · ") + " → would give " + info.output.format.toUpperCase() + " " + info.output.width + "×" + info.output.height;
  }

  async function show() {
    const run = ++generation;
    const list = $("file-info");
    list.innerHTML = "";
    const params = new URLSearchParams();
    if ($("scale").value) params.set("scale", $("scale").value);
    if ($("format").value) params.set("format", $("format").value);
    for (const file of files) {
      const item = document.createElement("li");
      item.textContent = file.name + ": reading…";
      list.appendChild(item);
      const form = new FormData();
      form.append("image", file, file.name);
      let text;
      try {
        const response = await api("/info?" + params, { method: "POST", body: form });
        const body = await response.json().catch(() => null);
        text = response.ok ? describe(body)
          : (body && body.error ? body.error.message : "the server answered with status " + response.status);
        item.className = response.ok ? "" : "error";
      } catch (e) {
        text = "the server could not be reached";
        item.className = "error";
      }
      if (run !== generation) return;
      item.textContent = file.name + ": " + text;
    }
  }

  function choose(chosen) {
    files = Array.from(chosen);
    show();
  }

  $("files").addEventListener("change", (e) => choose(e.target.files));
  $("drop").addEventListener("drop", (e) => choose(e.dataTransfer.files));
  $("scale").addEventListener("change", () => { if (files.length) show(); });
  $("format").addEventListener("change", () => { if (files.length) show(); });
})();
