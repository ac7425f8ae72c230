// End to end: the Internet connection page configures dynamic DNS, collection, ETRN and runs
// the doctor, against a real `postroom serve`. Everything stays on loopback: the IP-echo
// service and the dyndns2 provider are tests/fixtures/ddns_peer.py (started and ended by
// PID), the collected mailbox is a port that refuses, the backup MX asked with ETRN a small
// SMTP peer in this file, the port-25 test host a dead port.
import { test as nodeTest, before, after } from "node:test";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
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
  peer = spawn("python3", [join(ROOT, "tests/fixtures/ddns_peer.py"), "--out", peerDir], { stdio: "ignore" });
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

/** A backup MX speaking just enough SMTP: EHLO lists ETRN, `ETRN office.test` gets 250
 * (RFC 1985 §5); every command line is kept in `commands`. */
const backupMx = { commands: [], server: undefined, port: 0 };
async function startBackupMx() {
  backupMx.server = createServer((socket) => {
    socket.write("220 backup.test ESMTP\r\n");
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      let end;
      while ((end = buffered.indexOf("\r\n")) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        backupMx.commands.push(line);
        const upper = line.toUpperCase();
        if (upper.startsWith("EHLO")) socket.write("250-backup.test\r\n250 ETRN\r\n");
        else if (upper === "ETRN OFFICE.TEST") socket.write("250 2.0.0 Queuing for node office.test started\r\n");
        else if (upper === "QUIT") socket.end("221 2.0.0 Bye\r\n");
        else socket.write("502 5.5.1 Not implemented\r\n");
      }
    });
    socket.on("error", () => {});
  });
  await new Promise((ok) => backupMx.server.listen(0, "127.0.0.1", ok));
  backupMx.port = backupMx.server.address().port;
}
const etrnAsked = () => backupMx.commands.filter((l) => l === "ETRN office.test").length;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  peerUrl = await startPeer();
  refusing = await deadPort();
  await startBackupMx();
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
  await new Promise((ok) => (backupMx.server ? backupMx.server.close(ok) : ok()));
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
// TLS "none" (for a loopback test peer) in the modal's `nth` select.
const noTls = async (name, nth) => {
  await modal(name).locator(".ant-select").nth(nth).click();
  await page.locator(".ant-select-item-option").filter({ hasText: "None (trusted network only)" }).click();
};
// Saves the modal with an interval the server does not understand: its error shows under
// the field.
const refusedInterval = async (name, field, value) => {
  await page.getByTestId(field).fill(value);
  await save(name);
  const error = fieldError(field);
  await error.waitFor();
  assert.match(await error.textContent(), /interval/);
};

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

test("collection: a job added in the panel runs at once, without a restart, and words its error in both languages", async () => {
  const card = page.getByTestId("collect-card");
  await page.getByTestId("collect-add").click();
  await page.getByTestId("job-host").fill("127.0.0.1");
  await page.getByTestId("job-port").fill(String(refusing));
  await page.getByTestId("job-user").fill("office");
  await page.getByTestId("job-password").fill("pop-secret");
  await page.getByTestId("job-account").fill("boss@office.test");
  await noTls("collect-job-modal", 1);
  await refusedInterval("collect-job-modal", "job-interval", "soon");
  await page.getByTestId("job-interval").fill("1h");
  await save("collect-job-modal");
  await modal("collect-job-modal").locator(".ant-modal-content").waitFor({ state: "hidden" });
  await card.getByText("pop3://office@127.0.0.1", { exact: false }).first().waitFor();
  // Applied live: no restart notice, and the new job runs by itself (from "Never" to its
  // first run's error) with the server still the same process.
  const pid = server.child.pid;
  const state = card.getByTestId("collect-state");
  for (let tries = 0; ; tries++) {
    assert.ok(tries < 240, "the status never showed the result");
    await card.getByRole("button", { name: "Refresh" }).click();
    if (/refused|connect/i.test((await state.textContent()) ?? "")) break;
    await page.waitForTimeout(250);
  }
  assert.doesNotMatch((await state.textContent()) ?? "", /Never/);
  assert.equal(await page.getByText(/apply at the next restart/).count(), 0);
  assert.equal(server.child.pid, pid);
  const jobs = await page.evaluate(() => fetch("/api/collect").then((r) => r.json()));
  assert.equal(jobs[0].runs, 1);
  assert.equal(jobs[0].last_error_kind, "connection_refused");
  // The kind in the reader's language with what to do; the server's English words below it.
  const sentence = {
    en: "The server refused the connection: nothing answers on that port.",
    zh: "对方服务器拒绝连接：该端口没有服务应答。",
  };
  await shots(page, "connections-collect", async (lang) => {
    await state.getByText(sentence[lang], { exact: true }).waitFor();
    const raw = (await state.getByTestId("conn-error-raw").textContent()) ?? "";
    assert.match(raw, new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${refusing}: Connection refused`));
  });
});

test("ETRN: a backup server added in the panel is asked at once, and again on request", async () => {
  const card = page.getByTestId("etrn-card");
  await card.getByText("No backup mail servers", { exact: false }).waitFor();
  await page.getByTestId("etrn-add").click();
  await page.getByTestId("etrn-host").fill("127.0.0.1");
  await page.getByTestId("etrn-port").fill(String(backupMx.port));
  await page.getByTestId("etrn-domains").fill("office.test");
  await noTls("etrn-modal", 0);
  // A bad interval: nothing is saved.
  await refusedInterval("etrn-modal", "etrn-interval", "often");
  assert.equal(etrnAsked(), 0);
  await page.getByTestId("etrn-interval").fill("1h");
  await save("etrn-modal");
  await modal("etrn-modal").locator(".ant-modal-content").waitFor({ state: "hidden" });
  await card.getByText(`127.0.0.1:${backupMx.port}`).waitFor();
  // Applied live: the backup MX is asked for the domain, and the status shows its answer.
  const domain = card.getByTestId("etrn-domain");
  for (let tries = 0; ; tries++) {
    assert.ok(tries < 240, "the status never showed the answer");
    await card.getByRole("button", { name: "Refresh" }).click();
    if (/Sending/.test((await domain.textContent()) ?? "")) break;
    await page.waitForTimeout(250);
  }
  assert.equal(etrnAsked(), 1);
  await card.getByTestId("etrn-state").getByText("Settings changed").waitFor();
  // "Ask now" asks again.
  await card.getByTestId("etrn-run").click();
  for (let tries = 0; ; tries++) {
    assert.ok(tries < 240, "the second ETRN never came");
    await card.getByRole("button", { name: "Refresh" }).click();
    if (etrnAsked() === 2 && /Asked by you/.test((await card.getByTestId("etrn-state").textContent()) ?? "")) break;
    await page.waitForTimeout(250);
  }
  const saved = await page.evaluate(() => fetch("/api/settings").then((r) => r.json()));
  assert.deepEqual(saved.settings.etrn[0].domains, ["office.test"]);
  await shots(page, "connections-etrn", async (lang) =>
    card.getByText(lang === "zh" ? "开始发送" : "Sending", { exact: true }).waitFor());
});

test("the doctor runs its checks and offers the smart host for port 25", async () => {
  const card = page.getByTestId("doctor-card");
  await page.getByTestId("doctor-run").click();
  // The look-ups meet a DNS server that does not answer: the doctor says so within seconds; the
  // limit only turns a hang into a failure.
  await card.getByTestId("doctor-port25").waitFor({ timeout: 120_000 });
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
