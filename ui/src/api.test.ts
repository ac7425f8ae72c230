import { describe, expect, it, vi, afterEach } from "vitest";
import { api, ApiError, httpTransport, onUnauthorized, setTransport, toApiError } from "./api";
import type { ServerEvent } from "./types";

afterEach(() => setTransport(undefined));

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? "" : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("http transport", () => {
  it("sends method, path and JSON body and returns the JSON answer", async () => {
    const fetchFn = vi.fn(async () => jsonResponse(201, { address: "a@example.test", disabled: false }));
    setTransport(httpTransport(fetchFn as unknown as typeof fetch));
    const account = await api.addAccount({ address: "a@example.test", password: "pw" });
    expect(account.address).toBe("a@example.test");
    const [path, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe("/api/accounts");
    expect(init.method).toBe("POST");
    expect(JSON.parse(init.body as string)).toEqual({ address: "a@example.test", password: "pw" });
    expect(init.credentials).toBe("same-origin");
  });

  it("encodes path parts and query parameters", async () => {
    const fetchFn = vi.fn(async () => jsonResponse(200, []));
    setTransport(httpTransport(fetchFn as unknown as typeof fetch));
    await api.queue({ state: "in-flight" });
    await api.queue();
    await api.removeAlias("@catch all.test");
    await api.log({ after: 5, limit: 10 });
    const paths = fetchFn.mock.calls.map((c) => (c as unknown as [string])[0]);
    expect(paths).toEqual(["/api/queue?state=in-flight", "/api/queue", "/api/aliases/%40catch%20all.test", "/api/log?after=5&limit=10"]);
  });

  it("runs the doctor and posts the smart host to its own path", async () => {
    const fetchFn = vi.fn(async () => jsonResponse(200, []));
    setTransport(httpTransport(fetchFn as unknown as typeof fetch));
    await api.doctor();
    await api.doctorSmartHost({ host: "smtp.isp.example", port: 587 });
    const calls = fetchFn.mock.calls as unknown as [string, RequestInit][];
    expect(calls.map(([path, init]) => `${init.method} ${path}`)).toEqual(["POST /api/doctor", "POST /api/doctor/smart-host"]);
    expect(JSON.parse(calls[1][1].body as string)).toEqual({ host: "smtp.isp.example", port: 587 });
  });

  it("answers 204 with undefined", async () => {
    setTransport(httpTransport((async () => new Response(null, { status: 204 })) as unknown as typeof fetch));
    await expect(api.removeDomain("example.test")).resolves.toBeUndefined();
  });

  it("maps an error body to ApiError with its field", async () => {
    setTransport(httpTransport((async () => jsonResponse(400, { code: "invalid", message: "between 1 KB and 1 GB", field: "limits.max_message_size" })) as unknown as typeof fetch));
    const err = await api.updateSettings({ limits: { max_message_size: 5 } }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("invalid");
    expect(err.field).toBe("limits.max_message_size");
    expect(err.message).toBe("between 1 KB and 1 GB");
  });

  it("maps a non-JSON failure by HTTP status and a network failure to `network`", async () => {
    setTransport(httpTransport((async () => new Response("gateway down", { status: 404 })) as unknown as typeof fetch));
    const e1 = await api.domains().catch((e) => e);
    expect([e1.code, e1.message]).toEqual(["not_found", "gateway down"]);
    setTransport(httpTransport((async () => { throw new TypeError("Failed to fetch"); }) as unknown as typeof fetch));
    const e2 = await api.domains().catch((e) => e);
    expect(e2.code).toBe("network");
  });

  it("tells the app when the session has ended", async () => {
    const seen: string[] = [];
    const stop = onUnauthorized((e) => seen.push(e.code));
    setTransport(httpTransport((async () => jsonResponse(401, { code: "unauthorized", message: "sign in" })) as unknown as typeof fetch));
    await api.status().catch(() => undefined);
    stop();
    expect(seen).toEqual(["unauthorized"]);
  });

  it("reads named server-sent events", () => {
    const listeners: Record<string, (m: MessageEvent) => void> = {};
    const source = { addEventListener: (n: string, h: (m: MessageEvent) => void) => (listeners[n] = h), close: vi.fn() };
    const got: ServerEvent[] = [];
    const t = httpTransport(fetch, () => source as unknown as EventSource);
    const stop = t.subscribe((e) => got.push(e));
    listeners.change(new MessageEvent("change", { data: JSON.stringify({ type: "change", kind: "queue_added", ids: [3] }) }));
    listeners.log(new MessageEvent("log", { data: "not json" }));
    stop();
    expect(got).toEqual([{ type: "change", kind: "queue_added", ids: [3] }]);
    expect(source.close).toHaveBeenCalled();
  });
});

describe("event stream", () => {
  it("is one stream shared by every listener, closed after the last leaves", () => {
    let opened = 0;
    let closed = 0;
    let emit: ((e: ServerEvent) => void) | undefined;
    setTransport({
      call: async () => undefined as never,
      subscribe: (on) => {
        opened += 1;
        emit = on;
        return () => (closed += 1);
      },
    });
    const a: ServerEvent[] = [];
    const b: ServerEvent[] = [];
    const stopA = api.subscribe((e) => a.push(e));
    const stopB = api.subscribe((e) => b.push(e));
    emit!({ type: "lagged", missed: 1 });
    stopA();
    emit!({ type: "lagged", missed: 2 });
    expect([opened, closed]).toEqual([1, 0]);
    stopB();
    expect(closed).toBe(1);
    expect(a.length).toBe(1);
    expect(b.length).toBe(2);
  });
});

describe("errors", () => {
  it("turns a plain string rejection into an internal ApiError", () => {
    const e = toApiError("database is locked");
    expect([e.code, e.message]).toEqual(["internal", "database is locked"]);
  });
});
