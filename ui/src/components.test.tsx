import { describe, expect, it, vi, afterEach } from "vitest";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { setTransport } from "./api";
import { fake, SETTINGS_SCHEMA, wrap } from "./testing";
import Dashboard from "./pages/Dashboard";
import SignIn from "./pages/SignIn";
import Settings from "./pages/Settings";
import Queue from "./pages/Queue";
import { TrafficChart } from "./components/TrafficChart";
import type { Status } from "./types";

afterEach(() => setTransport(undefined));

const hour = 1_700_000_000 - (1_700_000_000 % 3600);
const status: Status = {
  version: "0.3.0",
  started_at: 0,
  uptime_secs: 7260,
  listeners: [
    { service: "smtp", address: "127.0.0.1:25", up: false, error: "port 25 is in use" },
    { service: "imap", address: "127.0.0.1:143", up: true },
  ],
  counters: { received: 12, rejected: 1, auth_failures: 0, delivered: 9, deferred: 2, bounced: 0 },
  history: Array.from({ length: 24 }, (_, i) => ({ hour: hour + i * 3600, received: i % 5, rejected: 0, auth_failures: 0, delivered: i % 3, deferred: 0, bounced: 0 })),
  receiving_paused: true,
  queue: { queued: 1, deferred: 2, held: 0, failed: 3 },
};

describe("Dashboard", () => {
  it("shows counters, a down listener's reason and the paused banner, and resumes", async () => {
    const { calls } = fake({
      "GET /api/status": () => status,
      "PUT /api/receiving": () => ({ paused: false }),
    });
    wrap(<Dashboard />);
    expect(await screen.findByText("port 25 is in use")).toBeTruthy();
    expect(screen.getByText("Receiving is paused: other servers are told to try again later.")).toBeTruthy();
    expect(screen.getByText("2h 1m")).toBeTruthy();
    expect(screen.getByTestId("traffic-chart")).toBeTruthy();
    fireEvent.click(screen.getByText("Resume receiving"));
    await waitFor(() => expect(calls.some((c) => c.path === "/api/receiving" && JSON.stringify(c.body) === '{"paused":false}')).toBe(true));
  });

  it("speaks Chinese", async () => {
    fake({ "GET /api/status": () => ({ ...status, receiving_paused: false }) });
    wrap(<Dashboard />, "zh");
    expect(await screen.findByText("监听端口")).toBeTruthy();
    expect(screen.getByText("2小时 1分钟")).toBeTruthy();
    expect(screen.queryByTestId("paused-banner")).toBeNull();
  });
});

describe("TrafficChart", () => {
  it("draws one bar per non-zero value", () => {
    const { container } = wrap(<TrafficChart history={[{ ...status.history[0], received: 4, delivered: 2 }, { ...status.history[1], received: 0, delivered: 0 }]} />);
    expect(container.querySelectorAll("rect").length).toBe(2);
  });
});

describe("SignIn", () => {
  it("shows the server's reason when the token is wrong", async () => {
    fake({ "POST /api/session": () => { throw { code: "unauthorized", message: "wrong token", field: "token" }; } });
    const done = vi.fn();
    wrap(<SignIn onSignedIn={done} />);
    expect(screen.getByText(/postroom admin token/)).toBeTruthy();
    fireEvent.change(screen.getByTestId("signin-secret"), { target: { value: "abc" } });
    fireEvent.click(screen.getByRole("button", { name: /sign in/i }));
    // An unauthorized answer means "sign in again" in plain words.
    expect((await screen.findByTestId("signin-error")).textContent).toContain("That token or password is not right.");
    expect(done).not.toHaveBeenCalled();
  });
});

describe("Settings", () => {
  it("puts a server validation error next to its field", async () => {
    fake({
      "GET /api/settings/schema": () => SETTINGS_SCHEMA,
      "GET /api/settings": () => ({
        settings: { hostname: "mx.example.test", listen: { smtp: ["127.0.0.1:2525"] }, limits: { max_message_size: 1048576, max_errors: 10 }, queue: {}, dns: { servers: [] }, relay: { networks: [] } },
        restart_needed: false,
      }),
      "GET /api/certificate": () => ({ subject: "CN=mx", issuer: "CN=mx", names: ["mx.example.test"], not_after: 1_900_000_000, self_signed: true }),
      "PUT /api/settings": () => { throw { code: "invalid", message: "limits.max_message_size: must be between 1 KB and 1 GB", field: "limits.max_message_size" }; },
    });
    wrap(<Settings />);
    fireEvent.click(await screen.findByRole("tab", { name: "Limits" }));
    const input = (await screen.findByTestId("field-limits.max_message_size")) as HTMLInputElement;
    fireEvent.change(input, { target: { value: "5" } });
    fireEvent.click(screen.getByTestId("save-limits"));
    const card = screen.getByTestId("settings-limits");
    await waitFor(() => expect(card.querySelector(".ant-form-item-explain-error")?.textContent).toContain("between 1 KB and 1 GB"));
    fireEvent.click(screen.getByRole("tab", { name: "Certificate" }));
    expect(await screen.findByText(/Self-signed/)).toBeTruthy();
  });

  it("labels fields and bounds numbers from the server's schema, in the chosen language", async () => {
    const schema = SETTINGS_SCHEMA.map((s) => s.path === "limits.max_errors" ? { ...s, label: { en: "Mistakes allowed", zh: "允许的错误" }, max: 99 } : s);
    fake({
      "GET /api/settings/schema": () => schema,
      "GET /api/settings": () => ({ settings: { hostname: "mx.example.test", limits: { max_errors: 10 } }, restart_needed: false }),
      "GET /api/certificate": () => { throw { code: "not_found", message: "no certificate" }; },
    });
    wrap(<Settings />, "zh");
    expect(await screen.findByText("服务器名称")).toBeTruthy();
    fireEvent.click(await screen.findByRole("tab", { name: "限制" }));
    expect(await screen.findByText("允许的错误")).toBeTruthy();
    const input = (await screen.findByTestId("field-limits.max_errors")) as HTMLInputElement;
    expect(input.getAttribute("aria-valuemax")).toBe("99");
  });

  it("lists keys that need a restart after saving", async () => {
    fake({
      "GET /api/settings/schema": () => SETTINGS_SCHEMA,
      "GET /api/settings": () => ({ settings: { hostname: "mx.example.test", limits: { max_errors: 10 } }, restart_needed: false }),
      "GET /api/certificate": () => { throw { code: "not_found", message: "no certificate" }; },
      "PUT /api/settings": () => ({ settings: { hostname: "mx.other.test", limits: { max_errors: 10 } }, restart_needed: true, applied: [], pending_restart: ["hostname"] }),
    });
    wrap(<Settings />);
    const input = (await screen.findByTestId("field-hostname")) as HTMLInputElement;
    fireEvent.change(input, { target: { value: "mx.other.test" } });
    fireEvent.click(screen.getByTestId("save-general"));
    expect((await screen.findByTestId("restart-notice")).textContent).toContain("hostname");
  });
});

describe("Queue", () => {
  it("lists entries with their state and says what to do when empty", async () => {
    fake({
      "GET /api/queue": () => [{ id: 4, sender: "", recipient: "x@remote.test", state: "deferred", attempts: 2, next_attempt: 0, created_at: 0, size: 100, last_reply: "451 try later" }],
      "GET /api/queue?state=held": () => [],
    });
    wrap(<Queue />, "zh");
    expect(await screen.findByText("x@remote.test")).toBeTruthy();
    expect(screen.getByText("重试中")).toBeTruthy();
    expect(screen.getByText("（退信通知）")).toBeTruthy();
  });
});
