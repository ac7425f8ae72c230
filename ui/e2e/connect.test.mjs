// End to end: the Internet connection page configures dynamic DNS, collection and runs the
// doctor, against a real `postroom serve`. Everything stays on loopback: the IP-echo service
// and the dyndns2 provider are tests/resources/ddns_peer.py (started and ended by PID), the
// collected mailbox is a port that refuses, the port-25 test host a dead port.
import { test as nodeTest, before, after } from "node:test";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { deadPort, Postroom, ROOT } from "./server.mjs";
import { launch, OUT, shots, scenario } from "./browser.mjs";

const server = new Postroom();
let browser;
let page;
let peer;
const peerDir = mkdtempSync(join(tmpdir(), "postroom-ui-ddns-"));

/** Starts ddns_peer.py; resolves with its base URL once it wrote its port. */
async function startPeer() {
  writeFileSync(join(peerDir, "ip4"), "81.2.69.160");
  writeFileSync(join(peerDir, "ip6"), "2a00:1450:4001::1");
  peer = spawn("python3", [join(ROOT, "tests/resources/ddns_peer.py"), "--out", peerDir], { stdio: "ignore" });
  const portFile = join(peerDir, "port");
  // The peer writes the file once listening; poll for it (no timing assertion, just a wait).
  while (!existsSync(portFile) || readFileSync(portFile, "utf8").trim() === "") {
    if (peer.exitCode !== null) throw new Error("ddns_peer.py exited");
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return `http://127.0.0.1:${readFileSync(portFile, "utf8").trim()}`;
}

let peerUrl;
let refusing;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  peerUrl = await startPeer();
  refusing = await deadPort();
  await server.start(["[doctor]", `port25_test_host = "127.0.0.1:${await deadPort()}"`, "blocklists = []", 'timeout = "2s"']);
  server.cli("domain", "add", "--dkim", "none", "office.test");
  server.cliInput("correct horse battery\n", "account", "add", "--password-stdin", "boss@office.test");
  browser = await launch();
  page = browser.page;
  await page.goto(server.signInLink());
  await page.getByTestId("dashboard").waitFor();
});

after(async () => {
  await browser?.close();
  await server.stop();
  if (peer && peer.exitCode === null) {
    const exited = new Promise((ok) => peer.once("exit", ok));
    process.kill(peer.pid, "SIGTERM");
    await exited;
  }
  rmSync(peerDir, { recursive: true, force: true });
});

/** A scenario; on failure, a picture of the page and the server's log tail. */
const test = scenario(nodeTest, () => page, server, (p) => p.keyboard.press("Escape"));

const nav = (name) => page.getByTestId("nav").getByText(name, { exact: true }).click();
const modal = (name) => page.locator(`.${name}`);
/** The error shown under the form field holding the control `testId`. */
const fieldError = (testId) =>
  page.locator(".ant-form-item", { has: page.getByTestId(testId) }).locator(".ant-form-item-explain-error");
const save = (name) => modal(name).getByRole("button", { name: "Save" }).click();

test("dynamic DNS: a record is configured, refused with the error at its field, then updated", async () => {
  await nav("Internet connection");
  const card = page.getByTestId("ddns-card");
  await card.waitFor();
  // Where to find this line's address: the local IP-echo service.
  await page.getByTestId("ddns-options").click();
  await page.getByTestId("echo4").fill(`${peerUrl}/ip`);
  await page.getByTestId("echo6").fill("");
  await save("ddns-options-modal");
  await modal("ddns-options-modal").locator(".ant-modal-content").waitFor({ state: "hidden" });
  // A record whose update URL is not a URL: the server's error shows under that field.
  await page.getByTestId("ddns-add").click();
  await page.getByTestId("record-hostname").fill("mail.example.test");
  await page.getByTestId("record-username").fill("office");
  await page.getByTestId("record-password").fill("dyn-SECRET-pw-1");
  await page.getByTestId("record-endpoint").fill("not a url");
  await save("ddns-record-modal");
  const error = fieldError("record-endpoint");
  await error.waitFor();
  assert.match(await error.textContent(), /\S/);
  await shots(page, "connections-ddns-error", async () => error.waitFor());
  await page.getByTestId("record-endpoint").fill(peerUrl);
  await save("ddns-record-modal");
  await modal("ddns-record-modal").locator(".ant-modal-content").waitFor({ state: "hidden" });
  await page.getByTestId("ddns-enabled").click();
  // The watcher looks the address up and updates the record; the status says so.
  const result = card.getByTestId("ddns-result");
  for (let tries = 0; ; tries++) {
    assert.ok(tries < 240, "the status never showed the result");
    await card.getByRole("button", { name: "Refresh" }).click();
    if (/Updated|Up to date/.test((await result.textContent().catch(() => "")) ?? "")) break;
    await page.waitForTimeout(250);
  }
  await card.getByText("81.2.69.160").first().waitFor();
  assert.match(readFileSync(join(peerDir, "updates.log"), "utf8"), /dyndns2 mail.example.test A 81.2.69.160/);
  // The stored secret is never shown again.
  const saved = await page.evaluate(() => fetch("/api/settings").then((r) => r.json()));
  assert.equal(saved.settings.ddns.record[0].password, "********");
  await shots(page, "connections-ddns", async (lang) =>
    card.getByText(lang === "zh" ? "已更新" : "Updated", { exact: true }).first().waitFor());
});

test("collection: a job against a refusing port shows the plain error", async () => {
  const card = page.getByTestId("collect-card");
  await page.getByTestId("collect-add").click();
  await page.getByTestId("job-host").fill("127.0.0.1");
  await page.getByTestId("job-port").fill(String(refusing));
  await page.getByTestId("job-user").fill("office");
  await page.getByTestId("job-password").fill("pop-secret");
  await page.getByTestId("job-account").fill("boss@office.test");
  // TLS "none" for a loopback test mailbox.
  await modal("collect-job-modal").locator(".ant-select").nth(1).click();
  await page.locator(".ant-select-item-option").filter({ hasText: "None (trusted network only)" }).click();
  // An interval the server does not understand: its error shows under the field.
  await page.getByTestId("job-interval").fill("soon");
  await save("collect-job-modal");
  const error = fieldError("job-interval");
  await error.waitFor();
  assert.match(await error.textContent(), /interval/);
  await page.getByTestId("job-interval").fill("1h");
  await save("collect-job-modal");
  await modal("collect-job-modal").locator(".ant-modal-content").waitFor({ state: "hidden" });
  await card.getByText("pop3://office@127.0.0.1", { exact: false }).first().waitFor();
  // New collection jobs start with the server (the page says so): restart it, sign in again.
  await page.getByText(/apply at the next restart: collect/).waitFor();
  await server.restart();
  await page.goto(server.signInLink());
  await page.getByTestId("dashboard").waitFor();
  await nav("Internet connection");
  await card.getByTestId("collect-run").waitFor();
  await card.getByTestId("collect-run").click();
  const state = card.getByTestId("collect-state");
  for (let tries = 0; ; tries++) {
    assert.ok(tries < 240, "the status never showed the result");
    await card.getByRole("button", { name: "Refresh" }).click();
    if (/refused|connect/i.test((await state.textContent()) ?? "")) break;
    await page.waitForTimeout(250);
  }
  await shots(page, "connections-collect", async () => state.locator(".ant-typography-danger").waitFor());
});

test("the doctor runs its checks and offers the smart host for port 25", async () => {
  const card = page.getByTestId("doctor-card");
  await page.getByTestId("doctor-run").click();
  // The look-ups meet a dead DNS server and wait out their timeouts: allow minutes.
  await card.getByTestId("doctor-port25").waitFor({ timeout: 300_000 });
  await card.getByTestId("doctor-public_ip").getByText(/81\.2\.69\.160/).waitFor();
  await shots(page, "connections-doctor", async (lang) =>
    card.getByText(lang === "zh" ? "出站 25 端口" : "Outgoing port 25", { exact: true }).waitFor());
  // The refused port-25 test offers the smart host; it becomes the catch-all route.
  await card.getByTestId("smart-host-open").click();
  await page.getByTestId("smart-host").fill("127.0.0.1");
  await page.getByTestId("smart-port").fill(String(refusing));
  await shots(page, "connections-smart-host", async () => page.getByTestId("smart-host").waitFor());
  await save("smart-host-modal");
  await modal("smart-host-modal").locator(".ant-modal-content").waitFor({ state: "hidden" });
  const saved = await page.evaluate(() => fetch("/api/settings").then((r) => r.json()));
  const route = saved.settings.route.find((r) => r.domains.includes("*"));
  assert.deepEqual(route.relay, [`127.0.0.1:${refusing}`]);
});
