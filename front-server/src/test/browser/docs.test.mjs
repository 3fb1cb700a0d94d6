// Drives /docs (Swagger UI) in headless chromium: it must render from this server alone, and "Try it out" on
// POST /process with a file must come back with an image.
// Usage: node docs.test.mjs BASE_URL IMAGE_FILE SCREENSHOT_PATH USER_DATA_DIR
// Exits 0 when the page rendered the operations, no request went to another host, and the live response shows
// status 200 with an image content type; prints what it saw as JSON.
import { finish, launch } from "./browser.mjs";

const [base, imageFile, screenshot, userDataDir] = process.argv.slice(2);
const origin = new URL(base).host;

const context = await launch(userDataDir, { viewport: { width: 1200, height: 1000 } });
let failed = false;
const elsewhere = [];
const seen = [];
await finish(context, async () => {
  // Every request the page makes is checked; one for another host is recorded and refused.
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || url.host === origin) {
      seen.push(url.pathname);
      return route.continue();
    }
    elsewhere.push(url.href);
    return route.abort();
  });
  const page = context.pages()[0] || await context.newPage();
  page.on("pageerror", (e) => { console.error("page error: " + e.message); failed = true; });
  await page.goto(base + "/docs", { waitUntil: "load" });
  const op = page.locator("#operations-images-process");
  await op.waitFor({ timeout: 30000 });
  const operations = await page.locator(".opblock").count();
  await op.locator(".opblock-summary").first().click();
  await op.locator("button.try-out__btn").click();
  await op.locator("input[type=file]").first().setInputFiles(imageFile);
  await op.locator("button.execute").click();
  const status = op.locator(".live-responses-table tr.response .response-col_status").first();
  await status.waitFor({ timeout: 60000 });
  const shown = {
    operations,
    status: (await status.textContent()).trim(),
    headers: (await op.locator(".live-responses-table tr.response .response-col_description").first().textContent()),
    image: await op.locator(".live-responses-table tr.response img").count(),
    requests: seen.length,
    elsewhere,
  };
  console.log(JSON.stringify(shown));
  if (operations < 10) { console.error(`only ${operations} operations rendered`); failed = true; }
  if (shown.status !== "200") { console.error(`Try it out answered ${shown.status}`); failed = true; }
  if (!/content-type:\s*image\/(png|jpeg)/i.test(shown.headers)) { console.error("no image content type shown"); failed = true; }
  if (elsewhere.length > 0) { console.error("requests left the machine: " + elsewhere.join(", ")); failed = true; }
  await page.screenshot({ path: screenshot, fullPage: false });
  return !failed;
});
