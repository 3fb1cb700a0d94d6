// The page's image info: each chosen file is described by POST /info (no processing) with the chosen scale and
// format, before anything is uploaded for processing. A file of its own, so the page needs no new inline script.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
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
        const response = await fetch("/info?" + params, { method: "POST", body: form });
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
