import { describe, expect, it } from "vitest";
import { fieldPath, formatBytes, formatDuration, formatRelative, hasPath, logService, quotaPercent } from "./format";
import { changedKeys } from "./pages/Settings";
import { filterLog, mergeLog } from "./pages/Logs";
import { setupRequest } from "./pages/Wizard";
import { niceMax } from "./components/TrafficChart";
import { recordPurpose } from "./pages/Domains";
import { inDesktopWindow, routeOf } from "./App";
import type { LogEntry } from "./types";

describe("formatting", () => {
  it("sizes", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(10 * 1024 * 1024)).toBe("10 MB");
    expect(formatBytes(200 * 1024 ** 3)).toBe("200 GB");
    expect(formatBytes(null)).toBe("—");
  });
  it("durations in both languages", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(59)).toBe("59s");
    expect(formatDuration(3600)).toBe("1h");
    expect(formatDuration(93784)).toBe("1d 2h");
    expect(formatDuration(93784, "zh")).toBe("1天 2小时");
  });
  it("relative times", () => {
    expect(formatRelative(1000, 1000)).toBe("now");
    expect(formatRelative(1300, 1000)).toBe("in 5m");
    expect(formatRelative(1000 - 7200, 1000)).toBe("2h ago");
    expect(formatRelative(1000 - 7200, 1000, "zh")).toBe("2小时前");
  });
  it("quota share", () => {
    expect(quotaPercent(50, 200)).toBe(25);
    expect(quotaPercent(500, 200)).toBe(100);
    expect(quotaPercent(5, null)).toBeNull();
  });
  it("log service from target", () => {
    expect(logService("smtp::op::data")).toBe("smtp");
    expect(logService("engine")).toBe("engine");
  });
  it("server field names as form paths", () => {
    expect(fieldPath("limits.max_message_size")).toEqual(["limits", "max_message_size"]);
    expect(fieldPath("route[1].relay[1]")).toEqual(["route", 1, "relay"]);
    expect(fieldPath("listen.smtp[0]")).toEqual(["listen", "smtp"]);
    expect(hasPath({ route: [{ relay: [] }, { relay: ["x"] }] }, ["route", 1, "relay"])).toBe(true);
    expect(hasPath({ limits: {} }, ["limits", "max_errors"])).toBe(false);
  });
  it("chart scale", () => {
    expect(niceMax([0, 0])).toBe(1);
    expect(niceMax([3, 7])).toBe(10);
    expect(niceMax([120])).toBe(200);
  });
});

describe("page logic", () => {
  it("settings send only changed keys", () => {
    expect(changedKeys({ a: 1, b: [1, 2], c: "x" }, { a: 1, b: [1, 3], c: "x" })).toEqual({ b: [1, 3] });
    expect(changedKeys({ a: 1 }, { a: undefined })).toEqual({ a: null });
  });
  it("log merge and filter", () => {
    const e = (seq: number, level: string, target: string, message: string): LogEntry => ({ seq, time: seq, level, target, message, fields: { peer: `10.0.0.${seq}` } });
    const known = mergeLog([], [e(1, "INFO", "smtp::session", "accepted"), e(2, "WARN", "queue::deliver", "deferred")]);
    const all = mergeLog(known, [e(2, "WARN", "queue::deliver", "deferred"), e(3, "ERROR", "imap", "boom")]);
    expect(all.map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(filterLog(all, [], "", "").map((x) => x.seq)).toEqual([3, 2, 1]);
    expect(filterLog(all, ["WARN", "ERROR"], "", "").map((x) => x.seq)).toEqual([3, 2]);
    expect(filterLog(all, [], "smtp", "").map((x) => x.seq)).toEqual([1]);
    expect(filterLog(all, [], "", "10.0.0.3").map((x) => x.seq)).toEqual([3]);
    expect(filterLog(all, [], "", "DEFERRED").map((x) => x.seq)).toEqual([2]);
  });
  it("hash routes", () => {
    expect(routeOf("")).toBe("dashboard");
    expect(routeOf("#/queue")).toBe("queue");
    expect(routeOf("#/settings?tab=limits")).toBe("settings");
    expect(routeOf("#/nowhere")).toBe("dashboard");
  });
  it("DNS record purposes", () => {
    const r = (name: string, kind: string, value: string) => ({ name, kind, value, note: null });
    expect(recordPurpose(r("example.com.", "MX", "10 mx.example.com."))).toBe("domains.purposeMx");
    expect(recordPurpose(r("mx.example.com.", "A", "<ip>"))).toBe("domains.purposeA");
    expect(recordPurpose(r("example.com.", "TXT", '"v=spf1 mx -all"'))).toBe("domains.purposeSpf");
    expect(recordPurpose(r("postroom._domainkey.example.com.", "TXT", '"v=DKIM1; k=rsa; p=..."'))).toBe("domains.purposeDkim");
    expect(recordPurpose(r("postroom._domainkey.example.com.", "TXT", "<none>"))).toBe("domains.purposeNoDkim");
    expect(recordPurpose(r("_dmarc.example.com.", "TXT", '"v=DMARC1; p=quarantine"'))).toBe("domains.purposeDmarc");
    expect(recordPurpose(r("x.example.com.", "CNAME", "y."))).toBeUndefined();
  });
  it("wizard request", () => {
    const base = { hostname: " mx.example.com ", domain: "example.com", address: "office@example.com", password: "pw" };
    expect(setupRequest({ ...base, cert: "self_signed" })).toEqual({
      hostname: "mx.example.com",
      domain: "example.com",
      account: { address: "office@example.com", password: "pw" },
      certificate: { kind: "self_signed" },
    });
    const r = setupRequest({ ...base, admin_password: "adm", cert: "import", cert_pem: "C", key_pem: "K" });
    expect(r.admin_password).toBe("adm");
    expect(r.certificate).toEqual({ kind: "import", cert_pem: "C", key_pem: "K" });
  });
});

describe("the desktop window", () => {
  it("is known by the mark its window sets", () => {
    expect(inDesktopWindow({ postroomDesktop: true })).toBe(true);
    expect(inDesktopWindow({})).toBe(false);
    expect(inDesktopWindow({ postroomDesktop: "yes" })).toBe(false);
    expect(inDesktopWindow(undefined)).toBe(false);
  });
});
