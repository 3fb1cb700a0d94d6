// Uploads files through the graypipe page in headless chromium and checks what the page shows.
// Usage: node page.test.mjs BASE_URL SCREENSHOT_PATH USER_DATA_DIR FILE...
// Exits 0 when the page shows one result per image and one error per bad file; prints why otherwise.
import { chromium } from "playwright-core";

const [base, screenshot, userDataDir, ...files] = process.argv.slice(2);
const images = files.filter((f) => /\.(png|jpe?g)$/i.test(f)).length;
const bad = files.length - images;

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1000, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = false;
try {
  const page = context.pages()[0] || await context.newPage();
  page.on("pageerror", (e) => { console.error("page error: " + e.message); failed = true; });
  await page.goto(base + "/", { waitUntil: "load" });
  await page.setInputFiles("#files", files);
  // Keyboard use: the upload button is reached and pressed without the mouse.
  await page.focus("#upload");
  await page.keyboard.press("Enter");
  await page.waitForFunction(
    ([want]) => document.querySelectorAll(".item.done, .item.failed").length >= want, [files.length],
    { timeout: 60000 });
  await page.waitForFunction(
    ([want]) => Array.from(document.querySelectorAll("img.result")).filter((i) => !i.hidden && i.complete && i.naturalWidth > 0).length >= want,
    [images], { timeout: 30000 });
  await page.waitForFunction(() => document.getElementById("f-batch").textContent.includes("/"), null, { timeout: 10000 });
  const shown = await page.evaluate(() => ({
    results: Array.from(document.querySelectorAll("img.result")).filter((i) => !i.hidden && i.naturalWidth > 0).length,
    errors: Array.from(document.querySelectorAll(".item .error")).filter((p) => !p.hidden).map((p) => p.textContent),
    downloads: document.querySelectorAll("a.download").length,
    batch: document.getElementById("f-batch").textContent,
  }));
  console.log(JSON.stringify(shown));
  if (shown.results !== images) { console.error(`expected ${images} results, saw ${shown.results}`); failed = true; }
  if (shown.errors.length !== bad) { console.error(`expected ${bad} errors, saw ${shown.errors.length}`); failed = true; }
  if (shown.downloads !== images) { console.error(`expected ${images} download links, saw ${shown.downloads}`); failed = true; }
  if (shown.errors.some((e) => e.trim().length < 10)) { console.error("an error is not in plain words: " + shown.errors); failed = true; }
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.setViewportSize({ width: 380, height: 800 });
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-phone.png"), fullPage: true });
} catch (e) {
  console.error(e.stack || String(e));
  failed = true;
} finally {
  await context.close();
}
process.exit(failed ? 1 : 0);
