// What the browser scripts share: Debian's chromium, headless and quiet (no background requests of its own), and
// the end of a run: the context closed and the exit status set, whatever happened.
import { chromium } from "playwright-core";

/** A persistent headless chromium context in userDataDir; options go to playwright (viewport, downloads). */
export function launch(userDataDir, options) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    ...options,
  });
}

/** Runs body, which returns whether every check held; closes the context and exits 0 only then. */
export async function finish(context, body) {
  let ok = false;
  try {
    ok = await body();
  } catch (e) {
    console.error(e.stack || String(e));
  } finally {
    await context.close();
  }
  process.exit(ok ? 0 : 1);
}
