// The Internet connection page: records and jobs from the settings joined with their state,
// provider-specific fields, server field errors under the field, the doctor.
import { afterEach, describe, expect, it } from "vitest";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { Form } from "antd";
import { setTransport } from "./api";
import { fake, wrap } from "./testing";
import { DdnsRecordFields, jobTable, recordValues } from "./pages/connections/Forms";
import Connections from "./pages/Connections";
import { etrnHintKey, etrnResultKey, etrnState, etrnTable, etrnTriggerKey, etrnValues } from "./pages/connections/Etrn";
import { ERROR_KINDS, errorKindKeys } from "./pages/connections/ErrorKind";
import { translate } from "./i18n";
import type { DoctorCheck, EtrnStatus } from "./types";

afterEach(() => setTransport(undefined));

const record = { provider: "dnspod", hostname: "mail.example.cn", zone: "example.cn", username: "AKID", password: "********", ipv4: true, ipv6: false };
const job = { protocol: "pop3", host: "pop.isp.example", port: 995, tls: "implicit", user: "office", password: "********", account: "boss@example.cn", interval: "5m" };
const settings = (extra: Record<string, unknown> = {}) => ({
  settings: { ddns: { enabled: true, ipv4_endpoints: ["https://api.ipify.org"], record: [record] }, collect: [job], ...extra },
  restart_needed: false, applied: [], pending_restart: [],
});
const base = {
  "GET /api/settings": () => settings(),
  "GET /api/ddns": () => ({
    enabled: true, ipv4: "203.0.113.7", ipv6: null, last_check: 1_700_000_000, last_check_error: null,
    records: [{ provider: "dnspod", hostname: "mail.example.cn", addresses: ["203.0.113.7"], last_update: null, last_attempt: 1_700_000_000, last_result: "stopped", last_error: "bad token", next_run: null, stopped: true }],
  }),
  "GET /api/collect": () => [{ index: 0, label: "pop3://office@pop.isp.example:995", protocol: "pop3", mode: "account", account: "boss@example.cn", tls: "implicit", keep_days: null, enabled: true, running: false, runs: 3, last_run: null, last_success: null, fetched: 2, deleted: 0, fetched_total: 9, last_error: null, next_run: null }],
  "POST /api/collect/0/run": () => ({ index: 0 }),
  "GET /api/etrn": () => [],
};

/** The form item (label, control, error) around the element with `testId`. */
const item = (testId: string) => screen.getByTestId(testId).closest(".ant-form-item") as HTMLElement;

describe("Connections", () => {
  it("shows configured records and jobs with their state, and fetches on request", async () => {
    const { calls } = fake(base);
    wrap(<Connections />, "zh");
    expect(await screen.findByText("mail.example.cn")).toBeTruthy();
    expect(await screen.findByText("已停止：请修正设置")).toBeTruthy();
    expect(screen.getByText("bad token")).toBeTruthy();
    expect(await screen.findByText("2 / 9")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "立即收取" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path === "/api/collect/0/run")).toBe(true));
  });

  it("says dynamic DNS is off and that there are no mailboxes", async () => {
    fake({ ...base, "GET /api/settings": () => ({ settings: {}, restart_needed: false, applied: [], pending_restart: [] }), "GET /api/collect": () => [] });
    wrap(<Connections />);
    expect(await screen.findByText(/Dynamic DNS is off/)).toBeTruthy();
    expect(await screen.findByText(/No mailboxes to collect from/)).toBeTruthy();
  });

  it("adds a record after the stored ones and shows the server's error under its field", async () => {
    const { calls } = fake({
      ...base,
      "PUT /api/settings": () => {
        throw { code: "invalid", message: "missing: the name to update", field: "ddns.record[1].hostname" };
      },
    });
    wrap(<Connections />);
    await screen.findByText("mail.example.cn");
    fireEvent.click(screen.getByTestId("ddns-add"));
    fireEvent.change(await screen.findByTestId("record-hostname"), { target: { value: "home.example.net" } });
    fireEvent.change(screen.getByTestId("record-username"), { target: { value: "office" } });
    fireEvent.change(screen.getByTestId("record-password"), { target: { value: "pw" } });
    fireEvent.change(screen.getByTestId("record-endpoint"), { target: { value: "http://127.0.0.1:9" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(within(item("record-hostname")).getByText(/missing: the name to update/)).toBeTruthy());
    const put = calls.find((c) => c.method === "PUT")!;
    const sent = (put.body as { ddns: { record: Record<string, unknown>[] } }).ddns.record;
    expect(sent).toHaveLength(2);
    // The stored record goes back as shown: its `********` keeps its secret.
    expect(sent[0]).toEqual(record);
    expect(sent[1]).toEqual({ provider: "dyndns2", hostname: "home.example.net", username: "office", password: "pw", endpoint: "http://127.0.0.1:9", ipv4: true, ipv6: false });
  });

  it("edits a collection job in place and places a port error under the port", async () => {
    const { calls } = fake({
      ...base,
      "PUT /api/settings": () => {
        throw { code: "invalid", message: "must be between 1 and 65535", field: "collect[0].port" };
      },
    });
    wrap(<Connections />);
    await screen.findByText("2 / 9");
    fireEvent.click(within(screen.getByTestId("collect-card")).getByRole("button", { name: "Edit" }));
    expect((await screen.findByTestId("job-host") as HTMLInputElement).value).toBe("pop.isp.example");
    fireEvent.change(screen.getByTestId("job-user"), { target: { value: "office2" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(within(item("job-port")).getByText(/must be between 1 and 65535/)).toBeTruthy());
    const sent = (calls.find((c) => c.method === "PUT")!.body as { collect: Record<string, unknown>[] }).collect;
    expect(sent).toEqual([{ ...job, user: "office2", enabled: true }]);
  });

  it("removing the last record removes the key", async () => {
    const { calls } = fake({ ...base, "PUT /api/settings": () => settings() });
    wrap(<Connections />);
    await screen.findByText("mail.example.cn");
    fireEvent.click(within(screen.getByTestId("ddns-card")).getByRole("button", { name: "Remove" }));
    fireEvent.click(await screen.findByRole("button", { name: "Yes" }));
    await waitFor(() => expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ ddns: { record: null } }));
  });
});

describe("connection forms", () => {
  const fields = (provider: string) => {
    function Host() {
      const [form] = Form.useForm();
      return <Form form={form} initialValues={recordValues({ provider })}><DdnsRecordFields form={form} existing={false} /></Form>;
    }
    return wrap(<Host />);
  };

  it("asks each provider for what it needs", async () => {
    fields("cloudflare");
    expect(await screen.findByText("Zone ID")).toBeTruthy();
    expect(screen.getByText("API token")).toBeTruthy();
    expect(screen.queryByTestId("record-username")).toBeNull();
    // The endpoint is optional: under "Advanced", still part of the form.
    expect(screen.getByText("Advanced")).toBeTruthy();
    expect(screen.getByTestId("record-endpoint")).toBeTruthy();
  });

  it("names DNSPod's and dyndns2's credentials their own way", async () => {
    const first = fields("dnspod");
    expect(await screen.findByText("SecretId")).toBeTruthy();
    expect(screen.getByText("SecretKey")).toBeTruthy();
    expect(screen.getByText("Domain (e.g. example.com)")).toBeTruthy();
    first.unmount();
    fields("dyndns2");
    expect(await screen.findByText("User name")).toBeTruthy();
    expect(screen.queryByTestId("record-zone")).toBeNull();
    expect(screen.queryByText("Advanced")).toBeNull();
    expect(screen.getByText("Update URL")).toBeTruthy();
  });

  it("writes a domain mailbox as mode and fallback, without an account", () => {
    expect(jobTable({ protocol: "imap", host: "h", user: "u", password: "p", mode: "domain", account: "x@y", fallback: "a@b", keep_days: 0, port: undefined, enabled: true }))
      .toEqual({ protocol: "imap", host: "h", user: "u", password: "p", mode: "domain", fallback: "a@b", keep_days: 0, enabled: true });
  });
});

describe("doctor", () => {
  const checks: DoctorCheck[] = [
    { id: "port25", status: "problem", details: {}, texts: { en: { summary: "Port 25 is blocked", fix: "Use a smart host" }, zh: { summary: "25 端口被封锁", fix: "使用中继服务器" } } },
    { id: "mx", status: "ok", details: { domain: "example.cn" }, texts: { en: { summary: "MX fine", fix: null }, zh: { summary: "MX 正常", fix: null } } },
  ];

  it("shows each check in the current language and sends through the smart host", async () => {
    const { calls } = fake({ ...base, "POST /api/doctor": () => checks, "POST /api/doctor/smart-host": () => settings() });
    wrap(<Connections />, "zh");
    fireEvent.click(await screen.findByTestId("doctor-run"));
    expect(await screen.findByText("25 端口被封锁")).toBeTruthy();
    expect(screen.getByText(/使用中继服务器/)).toBeTruthy();
    expect(screen.getByText("MX 记录: example.cn")).toBeTruthy();
    expect(screen.getByText("问题")).toBeTruthy();
    fireEvent.click(screen.getByTestId("smart-host-open"));
    fireEvent.change(await screen.findByTestId("smart-host"), { target: { value: "smtp.isp.example" } });
    fireEvent.click(screen.getByRole("button", { name: /保\s?存/ }));
    await waitFor(() => expect(calls.find((c) => c.path === "/api/doctor/smart-host")?.body)
      .toEqual({ host: "smtp.isp.example", port: 587, tls: "starttls", username: "", password: "" }));
  });
});

describe("ETRN", () => {
  const entry = { host: "backup.isp.example", port: 25, domains: ["example.cn", "example.com"], tls: "starttls", interval: "1h" };
  const state: EtrnStatus = {
    index: 0, host: "backup.isp.example", port: 25, tls: "starttls", last_run: 1_700_000_000, trigger: "ip_change",
    running: false, next_run: 1_700_003_600, error: null,
    domains: [
      { domain: "example.cn", result: "started", reply: "250 2.0.0 Queuing started" },
      { domain: "example.com", result: "refused", reply: "458 Unable to queue" },
    ],
  };
  const withEtrn = {
    ...base,
    "GET /api/settings": () => settings({ etrn: [entry] }),
    "GET /api/etrn": () => [state],
    "POST /api/etrn/0/run": () => state,
  };

  it("converts between a stored entry and the form", () => {
    expect(etrnValues()).toEqual({ host: "", port: 25, domains: "", tls: "starttls", interval: "1h" });
    expect(etrnValues(entry).domains).toBe("example.cn, example.com");
    expect(etrnTable({ host: " mx.isp.example ", port: 2525, domains: "a.test, b.test\nc.test;d.test", tls: "none", interval: " " }))
      .toEqual({ host: "mx.isp.example", port: 2525, domains: ["a.test", "b.test", "c.test", "d.test"], tls: "none" });
    expect(etrnTable(etrnValues(entry))).toEqual(entry);
  });

  it("names answers and triggers, and joins a state only to the same host", () => {
    expect(etrnResultKey("nothing_queued")).toBe("etrn.result.nothing_queued");
    expect(etrnResultKey(null)).toBe("etrn.result.none");
    expect(etrnResultKey("something new")).toBe("etrn.result.none");
    expect(etrnHintKey("unsupported")).toBe("etrn.hint.unsupported");
    expect(etrnHintKey("started")).toBeUndefined();
    expect(etrnHintKey(null)).toBeUndefined();
    expect(etrnTriggerKey("manual")).toBe("etrn.trigger.manual");
    expect(etrnTriggerKey(null)).toBeUndefined();
    expect(etrnState([state], entry, 0)).toBe(state);
    expect(etrnState([state], { ...entry, host: "other.example" }, 0)).toBeUndefined();
    expect(etrnState([state], entry, 1)).toBeUndefined();
  });

  it("shows each backup server's answers per domain and asks again on request", async () => {
    const { calls } = fake(withEtrn);
    wrap(<Connections />, "zh");
    const card = await screen.findByTestId("etrn-card");
    expect(await within(card).findByText("开始发送")).toBeTruthy();
    expect(within(card).getByText("被拒绝")).toBeTruthy();
    // What a refused domain means, in words, under its tag (the reply is the tag's tooltip).
    expect(within(card).getByText(/对方暂时不发送该域名的邮件/)).toBeTruthy();
    expect(within(card).queryAllByText(/ETRN：请联系服务商开通/)).toHaveLength(0);
    expect(within(card).getByText("地址已变化")).toBeTruthy();
    expect(within(card).getByText("backup.isp.example:25")).toBeTruthy();
    fireEvent.click(within(card).getByRole("button", { name: "立即请求" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path === "/api/etrn/0/run")).toBe(true));
  });

  it("says there are none", async () => {
    fake(base);
    wrap(<Connections />);
    expect(await screen.findByText(/No backup mail servers/)).toBeTruthy();
  });

  it("adds an entry and shows the server's error under the domains", async () => {
    const { calls } = fake({
      ...withEtrn,
      "POST /api/etrn": () => {
        throw { code: "invalid", message: "etrn[1].domains[1]: not a domain name", field: "domains[1]" };
      },
    });
    wrap(<Connections />);
    const card = await screen.findByTestId("etrn-card");
    await within(card).findByText("Sending");
    fireEvent.click(screen.getByTestId("etrn-add"));
    fireEvent.change(await screen.findByTestId("etrn-host"), { target: { value: "mx2.isp.example" } });
    fireEvent.change(screen.getByTestId("etrn-domains"), { target: { value: "example.cn, bad domain" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(within(item("etrn-domains")).getByText(/not a domain name/)).toBeTruthy());
    expect(calls.find((c) => c.method === "POST" && c.path === "/api/etrn")?.body)
      .toEqual({ host: "mx2.isp.example", port: 25, domains: ["example.cn", "bad", "domain"], tls: "starttls", interval: "1h" });
  });

  it("edits an entry in place", async () => {
    const { calls } = fake({ ...withEtrn, "PUT /api/etrn/0": () => settings({ etrn: [entry] }) });
    wrap(<Connections />);
    const card = await screen.findByTestId("etrn-card");
    await within(card).findByText("Sending");
    fireEvent.click(within(card).getByRole("button", { name: "Edit" }));
    expect((await screen.findByTestId("etrn-host") as HTMLInputElement).value).toBe("backup.isp.example");
    fireEvent.change(screen.getByTestId("etrn-interval"), { target: { value: "30m" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ ...entry, interval: "30m" }));
  });
});

describe("last errors", () => {
  const refused = "cannot connect to 127.0.0.1:36747: Connection refused (os error 111)";
  const failing = {
    ...base,
    "GET /api/collect": () => [{ ...base["GET /api/collect"]()[0], last_run: 1_700_000_000, last_error: refused, last_error_kind: "connection_refused" }],
    "GET /api/ddns": () => {
      const d = base["GET /api/ddns"]();
      return { ...d, records: [{ ...d.records[0], last_error: "badauth: the user name or password is wrong", last_error_kind: "auth" }] };
    },
  };

  it("words a collection job's and a record's error in Chinese, with the server's words as a detail", async () => {
    fake(failing);
    wrap(<Connections />, "zh");
    const job = within(await screen.findByTestId("collect-card"));
    expect(await job.findByText("对方服务器拒绝连接：该端口没有服务应答。")).toBeTruthy();
    expect(job.getByText(/请向服务商核对服务器地址、端口和加密方式/)).toBeTruthy();
    expect(job.getByTestId("conn-error-raw").textContent).toBe(refused);
    const ddns = within(screen.getByTestId("ddns-card"));
    expect(await ddns.findByText("用户名或密码被拒绝。")).toBeTruthy();
    expect(ddns.getByTestId("conn-error-raw").textContent).toBe("badauth: the user name or password is wrong");
  });

  it("words them in English too", async () => {
    fake(failing);
    wrap(<Connections />, "en");
    const job = within(await screen.findByTestId("collect-card"));
    expect(await job.findByText("The server refused the connection: nothing answers on that port.")).toBeTruthy();
    expect(job.getByText(/Check the server name, port and encryption setting/)).toBeTruthy();
    expect(job.getByTestId("conn-error-raw").textContent).toBe(refused);
    expect(await screen.findByText("The user name or password was refused.")).toBeTruthy();
  });

  it("words an ETRN entry's error, and shows an unknown kind's raw text as it is", async () => {
    const entry = { host: "backup.isp.example", port: 25, domains: ["example.cn"], tls: "starttls", interval: "1h" };
    const state = (error_kind: string) => ({
      index: 0, host: entry.host, port: 25, tls: "starttls", last_run: 1_700_000_000, trigger: "start", running: false,
      next_run: null, error: "the server does not advertise ETRN in its EHLO reply", error_kind,
      domains: [{ domain: "example.cn", result: null, reply: null }],
    });
    fake({ ...base, "GET /api/settings": () => settings({ etrn: [entry] }), "GET /api/etrn": () => [state("not_advertised")] });
    const { unmount } = wrap(<Connections />, "zh");
    const card = within(await screen.findByTestId("etrn-card"));
    expect(await card.findByText("备用邮件服务器不支持 ETRN。")).toBeTruthy();
    expect(card.getByTestId("conn-error-raw").textContent).toBe("the server does not advertise ETRN in its EHLO reply");
    unmount();

    fake({ ...base, "GET /api/settings": () => settings({ etrn: [entry] }), "GET /api/etrn": () => [state("something_newer")] });
    wrap(<Connections />, "zh");
    const again = within(await screen.findByTestId("etrn-card"));
    expect(await again.findByText("the server does not advertise ETRN in its EHLO reply")).toBeTruthy();
    expect(again.queryByTestId("conn-error-raw")).toBeNull();
  });

  it("has a sentence and a fix in both languages for every kind", () => {
    expect(errorKindKeys(null)).toBeUndefined();
    expect(errorKindKeys("something_newer")).toBeUndefined();
    for (const kind of ERROR_KINDS) {
      const keys = errorKindKeys(kind)!;
      for (const lang of ["en", "zh"] as const) {
        expect(translate(lang, keys.what), `${lang} ${kind}`).not.toBe(keys.what);
        expect(translate(lang, keys.fix), `${lang} ${kind}`).not.toBe(keys.fix);
      }
    }
  });
});
