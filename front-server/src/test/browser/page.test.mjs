// Drives the graypipe page in headless chromium: two variants in both modes, then the ZIP of the batch.
// Usage: node page.test.mjs BASE_URL SCREENSHOT_PATH USER_DATA_DIR ZIP_PATH FILE...
// Exits 0 when the page shows one result per image, variant and mode, one error per bad file, the comparison
// table, a failures figure equal to the batch's failed count, and saved the ZIP; prints what it saw as JSON.
import { finish, launch } from "./browser.mjs";

const [base, screenshot, userDataDir, zipPath, ...files] = process.argv.slice(2);
const images = files.filter((f) => /\.(png|jpe?g)$/i.test(f)).length;
const bad = files.length - images;
const variants = ["", "sepia"];
const modes = 2;

const context = await launch(userDataDir, { acceptDownloads: true, viewport: { width: 1000, height: 900 } });
let failed = false;
await finish(context, async () => {
  const page = context.pages()[0] || await context.newPage();
  page.on("pageerror", (e) => { console.error("page error: " + e.message); failed = true; });
  // The page must work under its own Content-Security-Policy: anything the policy blocks fails the test.
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) { console.error("blocked by the page's policy: " + m.text()); failed = true; }
  });
  await page.goto(base + "/", { waitUntil: "load" });
  await page.setInputFiles("#files", files);
  // Each chosen file is described by POST /info before anything is processed; the bad one says why.
  await page.waitForFunction(([n]) => Array.from(document.querySelectorAll("#file-info li"))
    .filter((li) => !li.textContent.endsWith("reading…")).length === n, [files.length], { timeout: 30000 });
  const info = await page.$$eval("#file-info li", (items) => items.map((li) => li.textContent));
  await page.fill("#variants .variant:nth-child(1) .chain", variants[0]);
  await page.click("#add-variant");
  await page.fill("#variants .variant:nth-child(2) .chain", variants[1]);
  await page.selectOption("#mode", "both");
  // Keyboard use: the upload button is reached and pressed without the mouse.
  await page.focus("#upload");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#comparison-box:not([hidden])", { timeout: 120000 });
  await page.waitForSelector("#download-all:not([hidden])", { timeout: 30000 });
  const want = images * variants.length * modes;
  await page.waitForFunction(
    ([n]) => Array.from(document.querySelectorAll("img.result")).filter((i) => i.complete && i.naturalWidth > 0).length >= n,
    [want], { timeout: 30000 });
  const batchUrl = await page.getAttribute("#download-all", "href");
  const batch = await page.evaluate(async (url) => (await fetch(url.replace(/\/archive$/, ""))).json(), batchUrl);
  const shown = await page.evaluate(() => ({
    results: Array.from(document.querySelectorAll("img.result")).filter((i) => i.naturalWidth > 0).length,
    errors: Array.from(document.querySelectorAll(".item .error")).filter((p) => !p.hidden).map((p) => p.textContent),
    groups: document.querySelectorAll("#groups tbody tr").length,
    comparison: Array.from(document.querySelectorAll("#comparison tbody tr")).map((r) => Array.from(r.cells).map((c) => c.textContent)),
    failures: document.getElementById("f-failures").textContent,
    captions: Array.from(document.querySelectorAll(".item figcaption")).map((c) => c.textContent),
  }));
  shown.info = info;
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-all")]);
  await download.saveAs(zipPath);
  shown.batchFailed = batch.failed;
  shown.zip = zipPath;
  console.log(JSON.stringify(shown));
  if (shown.results !== want) { console.error(`expected ${want} results, saw ${shown.results}`); failed = true; }
  if (shown.errors.length !== bad) { console.error(`expected ${bad} errors, saw ${shown.errors.length}`); failed = true; }
  if (shown.groups !== variants.length * modes) { console.error(`expected ${variants.length * modes} progress rows`); failed = true; }
  if (shown.comparison.length !== variants.length * modes) { console.error("the comparison table is incomplete"); failed = true; }
  if (!shown.comparison.some((row) => /^\d+\.\d\d$/.test(row[5]))) { console.error("no threads/processes ratio"); failed = true; }
  if (String(batch.failed) !== shown.failures) { console.error(`failures figure ${shown.failures} != batch failed ${batch.failed}`); failed = true; }
  if (info.filter((t) => / would give (JPEG|PNG) \d+×\d+$/.test(t)).length !== images) { console.error("the chosen files' info is missing: " + info); failed = true; }
  const sized = shown.captions.filter((c) => /· (JPEG|PNG) · [\d,]+ bytes$/.test(c)).length;
  if (sized !== want + images) { console.error(`expected ${want + images} captions with format and bytes, saw ${sized}`); failed = true; }
  if (shown.errors.some((e) => e.trim().length < 10)) { console.error("an error is not in plain words: " + shown.errors); failed = true; }
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.setViewportSize({ width: 380, height: 800 });
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-phone.png"), fullPage: true });
  return !failed;
});
