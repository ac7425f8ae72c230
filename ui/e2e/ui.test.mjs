// End to end: the built UI in Debian's chromium against a real `postroom serve`.
// Run by `npm run e2e` (ui/scripts/test.sh); needs target/debug/postroom (`cargo build -p cli`).
import { test as nodeTest, before, after } from "node:test";
import assert from "node:assert/strict";
import { Postroom, sendMail } from "./server.mjs";
import { cleanOut, launch, setLang, shots, scenario } from "./browser.mjs";

const server = new Postroom();
let browser;
let page;

before(async () => {
  cleanOut();
  await server.start();
  console.log(`UI served by ${server.proxy ? "a local stand-in (this postroom has no UI)" : "postroom serve"} at ${server.base}`);
  browser = await launch();
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server.stop();
});

/** A scenario; on failure, a picture of the page and the server's log tail. */
const test = scenario(nodeTest, () => page, server, (p) => p.goto(`${server.base}/#/dashboard`));

/** A modal or drawer, by the class its component puts on its root. */
const layer = (name) => page.locator(`.${name}`);

const nav = (name) => page.getByTestId("nav").getByText(name, { exact: true }).click();

test("first-run wizard", async () => {
  await page.goto(server.signInLink());
  await page.getByTestId("wizard").waitFor();
  await shots(page, "wizard", async () => page.getByTestId("wizard").waitFor());
  assert.equal(await page.getByTestId("wizard-hostname").inputValue(), "mx.office.test");
  await page.getByTestId("wizard-next").click();
  await page.getByTestId("wizard-domain").fill("office.test");
  await page.getByTestId("wizard-next").click();
  // The address is suggested from the domain.
  assert.equal(await page.getByTestId("wizard-address").inputValue(), "office@office.test");
  await page.getByTestId("wizard-address").fill("boss@elsewhere.test");
  await page.getByTestId("wizard-password").fill("correct horse battery");
  await page.getByTestId("wizard-next").click();
  await page.getByTestId("wizard-admin-password").fill("admin pass phrase");
  await page.getByTestId("wizard-next").click();
  await page.getByTestId("wizard-finish").click();
  // The server refuses the address: the wizard goes back to its step and shows why under it.
  const error = page.getByTestId("wizard").locator(".ant-form-item-explain-error");
  await error.waitFor();
  assert.match(await error.textContent(), /@office\.test/);
  await page.getByTestId("wizard-address").waitFor();
  await shots(page, "wizard-error", async () => error.waitFor());
  await page.getByTestId("wizard-address").fill("boss@office.test");
  await page.getByTestId("wizard-next").click();
  await page.getByTestId("wizard-next").click();
  await page.getByTestId("wizard-finish").click();
  await page.getByTestId("wizard-done").waitFor();
  await page.getByTestId("wizard-done").getByRole("button").click();
  await page.getByTestId("dashboard").waitFor();
  const domains = await page.evaluate(() => fetch("/api/domains").then((r) => r.json()));
  assert.deepEqual(domains.map((d) => d.name), ["office.test"]);
});

test("sign in with the token and the admin password", async () => {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByTestId("signin-secret").waitFor();
  await shots(page, "signin");
  await page.getByTestId("signin-secret").fill("0".repeat(64));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  assert.match(await page.getByTestId("signin-error").textContent(), /not right/);
  await page.getByTestId("signin-secret").fill(server.cli("admin", "token"));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("dashboard").waitFor();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("tab", { name: "Admin password" }).click();
  await page.getByTestId("signin-secret").fill("admin pass phrase");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("dashboard").waitFor();
});

test("create a domain and an account", async () => {
  await nav("Domains");
  await page.getByTestId("domains-page").waitFor();
  await page.getByTestId("add-domain").click();
  await page.getByTestId("domain-name").fill("branch.test");
  await layer("add-domain-modal").locator(".ant-select-selector").click();
  await page.getByTitle("Ed25519 (small, newer)").click();
  await layer("add-domain-modal").getByRole("button", { name: "Add" }).click();
  // Adding opens the DNS records to publish, each with a copy button.
  const drawer = layer("dns-drawer");
  await drawer.getByText("_dmarc.branch.test.").waitFor();
  assert.ok((await drawer.locator(".ant-typography-copy").count()) >= 10);
  await shots(page, "domains-dns", async () => drawer.getByText("_dmarc.branch.test.").waitFor());
  await drawer.locator(".ant-drawer-close").click();
  await drawer.locator(".ant-drawer-content").waitFor({ state: "hidden" });
  await page.getByRole("cell", { name: "branch.test", exact: true }).waitFor();
  await shots(page, "domains");

  await nav("Accounts");
  await page.getByTestId("add-account").click();
  await page.getByTestId("account-address").fill("alice@branch.test");
  await page.getByTestId("account-password").fill("short");
  await layer("add-account-modal").getByRole("button", { name: "Add" }).click();
  // The store's password rule comes back as a field error under the password box.
  await layer("add-account-modal").locator(".ant-form-item-explain-error").waitFor();
  await page.getByTestId("account-password").fill("a much longer password");
  await layer("add-account-modal").getByRole("button", { name: "Add" }).click();
  await page.getByRole("cell", { name: "alice@branch.test", exact: true }).waitFor();
  // A quota shows as used / limit.
  await page.getByRole("row", { name: /alice@branch\.test/ }).getByRole("button", { name: "Quota" }).click();
  await layer("quota-modal").locator("input").fill("10");
  await layer("quota-modal").getByRole("button", { name: "Save" }).click();
  await page.getByText("0 B / 10 MB").waitFor();
  await shots(page, "accounts", async (lang) =>
    page.getByText(lang === "zh" ? "存储空间" : "Storage", { exact: true }).waitFor());
  const accounts = await page.evaluate(() => fetch("/api/accounts").then((r) => r.json()));
  assert.deepEqual(accounts.map((a) => a.address).sort(), ["alice@branch.test", "boss@office.test"]);

  await nav("Aliases & lists");
  await page.getByTestId("aliases-page").waitFor();
  await shots(page, "aliases");
});

test("a message shows in the live log and on the dashboard", async () => {
  await nav("Logs");
  await page.getByTestId("logs-page").waitFor();
  const before = await page.getByTestId("log-line").count();
  assert.equal(sendMail(server.listeners.smtp, { from: "friend@elsewhere.test", to: "boss@office.test", subject: "UI test" }), "sent");
  // New entries arrive over the event stream without a reload.
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="log-line"]').length > n, before);
  await page.getByTestId("log-search").fill("friend@elsewhere.test");
  await page.getByTestId("log-line").first().waitFor();
  await shots(page, "logs");
  await nav("Dashboard");
  await page.getByTestId("dashboard").waitFor();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="counter-received"] .ant-statistic-content-value');
    return el && Number(el.textContent.replace(/\D/g, "")) >= 1;
  });
  await page.getByTestId("traffic-chart").waitFor();
  await shots(page, "dashboard", async (lang) =>
    page.getByText(lang === "zh" ? "监听端口" : "Listeners", { exact: true }).waitFor());
  // Pause receiving: the banner says so and offers to resume.
  await page.getByTestId("pause-receiving").click();
  await page.locator(".ant-popconfirm").getByRole("button", { name: "OK" }).click();
  await page.getByTestId("paused-banner").waitFor();
  await shots(page, "dashboard-paused", async () => page.getByTestId("paused-banner").waitFor());
  await page.getByTestId("paused-banner").getByRole("button", { name: "Resume receiving" }).click();
  await page.getByTestId("paused-banner").waitFor({ state: "detached" });
  await page.getByTestId("pause-receiving").waitFor();
});

test("spam & security: a blocked sender is listed and removed, in both languages", async () => {
  await nav("Spam & security");
  await page.getByTestId("security-page").waitFor();
  await page.getByText("Nothing learned yet", { exact: false }).waitFor();
  await page.getByTestId("add-sender").click();
  await page.getByTestId("sender-pattern").fill("deals.example");
  await layer("add-sender-modal").locator(".ant-select").nth(1).click();
  await page.locator('.ant-select-item-option[title="boss@office.test"]').click();
  await layer("add-sender-modal").getByRole("button", { name: "Add" }).click();
  await page.getByRole("cell", { name: "deals.example", exact: true }).waitFor();
  const lists = await page.evaluate(() => fetch("/api/filter/lists").then((r) => r.json()));
  assert.deepEqual(lists, [{ owner: "boss@office.test", pattern: "deals.example", action: "block", for_domain: false }]);
  await shots(page, "security", async (lang) =>
    page.getByText(lang === "zh" ? "允许与屏蔽名单" : "Allow and block lists", { exact: true }).waitFor());
  await setLang(page, "zh");
  await page.getByTestId("nav").getByText("反垃圾与安全", { exact: true }).waitFor();
  await page.getByRole("row", { name: /deals\.example/ }).getByText("屏蔽", { exact: true }).waitFor();
  await setLang(page, "en");
  await page.getByRole("row", { name: /deals\.example/ }).getByRole("button", { name: "Remove" }).click();
  await page.locator(".ant-popconfirm").getByRole("button", { name: "Yes" }).click();
  await page.getByRole("cell", { name: "deals.example", exact: true }).waitFor({ state: "detached" });
  // The checks' switches and scores are the [filter] settings.
  await nav("Settings");
  await page.getByRole("tab", { name: "Spam & security" }).click();
  await page.getByTestId("settings-filter").waitFor();
});

test("hold and release a queued message", async () => {
  // To an outside domain: the only route is a loopback port that refuses, so it stays queued.
  sendMail(server.listeners.smtp, { from: "boss@office.test", to: "someone@outside.test", subject: "queued" });
  await nav("Queue");
  await page.getByRole("cell", { name: "someone@outside.test" }).waitFor();
  await shots(page, "queue");
  await page.getByRole("cell", { name: "someone@outside.test" }).click();
  const drawer = layer("queue-drawer");
  await drawer.waitFor();
  await drawer.getByTestId("queue-hold").click();
  await drawer.getByTestId("queue-drawer-state").getByText("Held").waitFor();
  await shots(page, "queue-detail", async () => drawer.getByTestId("queue-drawer-state").waitFor());
  await drawer.getByTestId("queue-release").click();
  await drawer.getByTestId("queue-hold").waitFor();
  const state = await drawer.getByTestId("queue-drawer-state").textContent();
  assert.notEqual(state, "Held");
  await drawer.locator(".ant-drawer-close").click();
  await drawer.locator(".ant-drawer-content").waitFor({ state: "hidden" });
  await page.getByTestId("queue-retry-all").click();
  await page.getByText(/will be tried now/).waitFor();
});

test("the Internet connection page says what to set up", async () => {
  await nav("Internet connection");
  await page.getByTestId("connections-page").waitFor();
  // This server has neither dynamic DNS nor collection jobs: both say how to add them.
  await page.getByText(/Dynamic DNS is off/).waitFor();
  await page.getByText(/No mailboxes to collect from/).waitFor();
  await shots(page, "connections", async (lang) =>
    page.getByText(lang === "zh" ? "邮件收取" : "Mail collection", { exact: true }).waitFor());
});

test("a settings error shows next to its field", async () => {
  await nav("Settings");
  await page.getByRole("tab", { name: "Limits" }).click();
  // Sizes are an amount and a unit (binary multiples); the server gets bytes. The default
  // 50 MiB shows as 50 MB.
  const field = page.getByTestId("field-limits.max_message_size");
  assert.equal(await field.inputValue(), "50");
  const unit = page.getByTestId("field-limits.max_message_size-unit");
  assert.match(await unit.textContent(), /MB/);
  // 3000 MB is over the 2 GiB the server allows: its error shows next to the field.
  await field.fill("3000");
  await page.getByTestId("save-limits").click();
  const error = page.getByTestId("settings-limits").locator(".ant-form-item-explain-error");
  await error.waitFor();
  assert.match(await error.textContent(), /max_message_size.*3145728000/);
  await shots(page, "settings", async () => error.waitFor());
  // A valid change is saved: 20, then KB, is 20 KiB; then back to MB, 20 MiB.
  await field.fill("20");
  await unit.click();
  await page.locator('.ant-select-item-option[title="KB"]').click();
  await page.getByTestId("save-limits").click();
  await page.getByText("Saved", { exact: true }).first().waitFor();
  let saved = await page.evaluate(() => fetch("/api/settings").then((r) => r.json()));
  assert.equal(saved.settings.limits.max_message_size, 20 * 1024);
  await unit.click();
  await page.locator('.ant-select-item-option[title="MB"]').click();
  await page.getByTestId("save-limits").click();
  await page.waitForFunction(() =>
    fetch("/api/settings").then((r) => r.json()).then((s) => s.settings.limits.max_message_size === 20 * 1024 * 1024),
  undefined, { polling: 100 });
  saved = await page.evaluate(() => fetch("/api/settings").then((r) => r.json()));
  assert.equal(saved.settings.limits.max_message_size, 20 * 1024 * 1024);
  // The server says whether it applied the change now or needs a restart; either is shown.
  await page.locator(".ant-alert-success, [data-testid=restart-notice]").first().waitFor();
  await page.getByRole("tab", { name: "Sending" }).click();
  await page.getByTestId("settings-route").waitFor();
  await shots(page, "settings-sending", async () => page.getByTestId("settings-route").waitFor());
  await page.getByRole("tab", { name: "Certificate" }).click();
  await page.getByTestId("settings-certificate").getByText("mx.office.test", { exact: false }).first().waitFor();
  await shots(page, "settings-certificate", async () => page.getByTestId("settings-certificate").waitFor());
});

test("the language choice follows the switch and is remembered", async () => {
  await setLang(page, "zh");
  await page.getByTestId("nav").getByText("概览", { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("postroom.lang")), "zh");
  await page.reload();
  await page.getByTestId("nav").getByText("发送队列", { exact: true }).waitFor();
  // AntD's own texts follow too (the settings page's empty route list, pagination...).
  assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
  await setLang(page, "en");
  await page.getByTestId("nav").getByText("Dashboard", { exact: true }).waitFor();
});
