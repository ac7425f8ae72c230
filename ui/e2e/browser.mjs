// Debian's chromium, headless, through playwright-core, with a fresh profile each time.
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";

/** Called once per run: a clean out/ for this run's pictures. */
export function cleanOut() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
}
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const OUT = resolve(import.meta.dirname, "out");
const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium";

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "postroom-ui-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    viewport: { width: 1280, height: 860 },
    locale: "en-US",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30000);
  mkdirSync(OUT, { recursive: true });
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Sets the language with the header switch. */
export async function setLang(page, lang) {
  // A click through the DOM: an open drawer's mask must not stop the switch.
  await page
    .getByTestId("lang-switch")
    .getByText(lang === "zh" ? "中文" : "English", { exact: true })
    .evaluate((el) => el.click());
}

/** Screenshots of the current page in English and Chinese: out/NAME-en.png, out/NAME-zh.png;
 * leaves the page in English. */
export async function shots(page, name, ready) {
  for (const lang of ["en", "zh"]) {
    await setLang(page, lang);
    if (ready) await ready(lang);
    await page.waitForTimeout(300); // let animations (modals, drawers) settle for the picture
    // Toasts were written in the language of the moment they appeared: leave them out.
    await page.screenshot({ path: join(OUT, `${name}-${lang}.png`), fullPage: true, style: ".ant-message { display: none !important; }" });
  }
  await setLang(page, "en");
}

/** `test` from node:test wrapped: on failure, a picture of the page (out/failed-*.png), the
 * server's log tail, and `reset(page)` so the next scenario starts clean. */
export function scenario(test, getPage, server, reset) {
  return (name, fn) =>
    test(name, async () => {
      try {
        await fn();
      } catch (e) {
        const page = getPage();
        await page?.screenshot({ path: join(OUT, `failed-${name.replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => {});
        console.error(server.stderr?.slice(-3000));
        if (page) await reset(page).catch(() => {});
        throw e;
      }
    });
}
