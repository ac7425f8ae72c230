// A real `postroom serve` on a temporary data directory with loopback ports, started and
// stopped by PID. Outbound mail goes to a loopback port that refuses, so nothing leaves.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { createServer as netServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, extname } from "node:path";
import { createInterface } from "node:readline";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BINARY = process.env.POSTROOM_BIN ?? join(ROOT, "target/debug/postroom");
const DIST = resolve(import.meta.dirname, "../dist");

/** A loopback port nobody listens on (bound, then closed): connections are refused. */
export async function deadPort() {
  const server = netServer();
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

export class Postroom {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "postroom-ui-e2e-"));
    this.listeners = {};
    this.child = undefined;
    this.proxy = undefined;
  }

  /** Writes postroom.toml (plus the `extra` lines) and starts `serve`; resolves once it
   * prints `ready`. */
  async start(extra = []) {
    const dead = await deadPort();
    writeFileSync(
      join(this.dir, "postroom.toml"),
      [
        'hostname = "mx.office.test"',
        "[listen]",
        'smtp = ["127.0.0.1:0"]',
        'submission = ["127.0.0.1:0"]',
        'admin = ["127.0.0.1:0"]',
        "[dns]",
        `servers = ["127.0.0.1:${dead}"]`,
        "[relay]",
        'networks = ["127.0.0.0/8"]',
        "[[route]]",
        'domains = ["*"]',
        `relay = ["127.0.0.1:${dead}"]`,
        'tls = "none"',
        ...extra,
        "",
      ].join("\n"),
    );
    return this.serve();
  }

  /** Starts `serve` on the data directory as it is; resolves once it prints `ready`. */
  async serve() {
    this.listeners = {};
    this.child = spawn(BINARY, ["--data-dir", this.dir, "serve"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, POSTROOM_LOG: "info" },
    });
    this.stderr = "";
    this.child.stderr.on("data", (d) => (this.stderr = (this.stderr + d).slice(-20000)));
    const lines = createInterface({ input: this.child.stdout });
    await new Promise((ok, fail) => {
      this.child.on("exit", (code) => fail(new Error(`postroom serve exited (${code}):\n${this.stderr}`)));
      lines.on("line", (line) => {
        const parts = line.trim().split(/\s+/);
        if (parts[0] === "listening" && parts.length === 3) this.listeners[parts[1]] = parts[2];
        if (parts[0] === "ready") ok();
      });
    });
    this.admin = `http://${this.listeners.admin}`;
    if (this.proxy) await new Promise((ok) => this.proxy.close(ok));
    this.proxy = undefined;
    this.base = (await this.servesUi()) ? this.admin : await this.startProxy();
    return this;
  }

  /** Whether the binary serves the built UI at `/` (debug builds read ui/dist at run time). */
  async servesUi() {
    const text = await fetch(`${this.admin}/`).then((r) => r.text());
    return text.includes('id="root"');
  }

  /** A stand-in for an engine without the UI: ui/dist here, everything else proxied. */
  async startProxy() {
    const target = new URL(this.admin);
    const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };
    this.proxy = createServer((req, res) => {
      const path = new URL(req.url, "http://x").pathname;
      if (!path.startsWith("/api/") && !path.startsWith("/signin")) {
        const file = join(DIST, path === "/" || !existsSync(join(DIST, path)) ? "index.html" : path);
        res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" });
        res.end(readFileSync(file));
        return;
      }
      const up = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.on("error", () => res.destroy());
      req.pipe(up);
    });
    await new Promise((ok) => this.proxy.listen(0, "127.0.0.1", ok));
    return `http://127.0.0.1:${this.proxy.address().port}`;
  }

  /** Runs `postroom --data-dir DIR ARGS...` and returns its stdout. */
  cli(...args) {
    return this.cliInput("", ...args);
  }

  /** The same with `input` on standard input. */
  cliInput(input, ...args) {
    return execFileSync(BINARY, ["--data-dir", this.dir, ...args], { encoding: "utf8", input }).trim();
  }

  /** A one-time sign-in link, pointed at the address the browser uses. */
  signInLink() {
    const link = this.cli("admin", "open", "--print-only").split(/\s+/).find((w) => w.includes("/signin?code="));
    const url = new URL(link);
    return `${this.base}${url.pathname}${url.search}`;
  }

  /** Stops `serve` (by PID) and starts it again: settings that need a restart apply. The
   * admin port changes; sign in again. */
  async restart() {
    const exited = new Promise((ok) => this.child.once("exit", ok));
    process.kill(this.child.pid, "SIGTERM");
    await exited;
    return this.serve();
  }

  async stop() {
    if (this.proxy) await new Promise((ok) => this.proxy.close(ok));
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((ok) => this.child.once("exit", ok));
      process.kill(this.child.pid, "SIGTERM");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Sends one message with Python's smtplib to `port`; returns what the script printed. */
export function sendMail(address, { from, to, subject }) {
  const [host, port] = address.split(":");
  const script = `
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"], m["To"], m["Subject"] = sys.argv[3], sys.argv[4], sys.argv[5]
m.set_content("Hello from the UI end-to-end test.\\n")
with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=30) as s:
    s.send_message(m)
print("sent")
`;
  return execFileSync("python3", ["-c", script, host, port, from, to, subject], { encoding: "utf8" }).trim();
}
