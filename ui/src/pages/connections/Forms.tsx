// The fields of one `[[ddns.record]]` and one `[[collect]]` job, and the conversions between
// the settings JSON (as `GET /api/settings` shows it) and the form values.
import { Checkbox, Collapse, Form, Input, InputNumber, Radio, Select, Switch, type FormInstance } from "antd";
import { ApiError, toApiError } from "../../api";
import { useI18n, type Key } from "../../i18n";

export const PROVIDERS = ["dyndns2", "cloudflare", "dnspod", "alidns"] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Which of zone / username / password a provider uses, and their labels. */
export const PROVIDER_FIELDS: Record<Provider, { zone?: Key; username?: Key; password: Key }> = {
  dyndns2: { username: "conn.username", password: "conn.password" },
  cloudflare: { zone: "conn.zoneId", password: "conn.apiToken" },
  dnspod: { zone: "conn.zoneDomain", username: "conn.secretId", password: "conn.secretKey" },
  alidns: { zone: "conn.zoneDomain", username: "conn.accessKeyId", password: "conn.accessKeySecret" },
};

export type Table = Record<string, unknown>;

/** Drops empty strings and undefined: an unset key is absent from the table. */
export function compact(values: Table): Table {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== ""));
}

/**
 * A server error about `prefix` (e.g. `ddns.record[2]`) with the field made relative to the
 * form of that one entry (`ddns.record[2].hostname` → `hostname`); other errors unchanged.
 */
export function scopeError(e: unknown, prefix: string): ApiError {
  const err = toApiError(e);
  if (err.field?.startsWith(`${prefix}.`)) {
    return new ApiError(err.code, err.message, err.field.slice(prefix.length + 1));
  }
  return err;
}

export function recordValues(r: Table = {}): Table {
  return {
    provider: r.provider ?? "dyndns2",
    hostname: r.hostname ?? "",
    zone: r.zone ?? "",
    username: r.username ?? "",
    password: r.password ?? "",
    endpoint: r.endpoint ?? "",
    ipv4: r.ipv4 ?? true,
    ipv6: r.ipv6 ?? false,
  };
}

export function DdnsRecordFields({ form, existing }: { form: FormInstance; existing: boolean }) {
  const { t } = useI18n();
  const provider = (Form.useWatch("provider", form) ?? "dyndns2") as Provider;
  const fields = PROVIDER_FIELDS[provider] ?? PROVIDER_FIELDS.dyndns2;
  const required = { required: true, message: t("common.required") };
  const endpoint = (
    <Form.Item name="endpoint" label={t("conn.endpoint")} rules={provider === "dyndns2" ? [required] : []}
      extra={provider === "dyndns2" ? t("conn.endpointHelp") : t("conn.endpointDefault")}>
      <Input placeholder={provider === "dyndns2" ? "https://dynupdate.no-ip.com" : ""} data-testid="record-endpoint" />
    </Form.Item>
  );
  return (
    <>
      <Form.Item name="provider" label={t("conn.provider")}>
        <Select data-testid="record-provider" options={PROVIDERS.map((p) => ({ value: p, label: t(`conn.provider.${p}` as Key) }))} />
      </Form.Item>
      <Form.Item name="hostname" label={t("conn.hostname")} rules={[required]}>
        <Input placeholder="mail.example.com" data-testid="record-hostname" />
      </Form.Item>
      {fields.zone && (
        <Form.Item name="zone" label={t(fields.zone)} rules={[required]}>
          <Input data-testid="record-zone" />
        </Form.Item>
      )}
      {fields.username && (
        <Form.Item name="username" label={t(fields.username)} rules={[required]}>
          <Input data-testid="record-username" autoComplete="off" />
        </Form.Item>
      )}
      <Form.Item name="password" label={t(fields.password)} rules={[required]}
        extra={existing ? t("conn.passwordKept") : undefined}>
        <Input.Password data-testid="record-password" autoComplete="new-password" />
      </Form.Item>
      <Form.Item label={t("conn.recordTypes")} style={{ marginBottom: 8 }}>
        <Form.Item name="ipv4" valuePropName="checked" noStyle><Checkbox>A (IPv4)</Checkbox></Form.Item>
        <Form.Item name="ipv6" valuePropName="checked" noStyle><Checkbox>AAAA (IPv6)</Checkbox></Form.Item>
      </Form.Item>
      {provider === "dyndns2" ? endpoint : (
        <Collapse ghost size="small" items={[{ key: "a", label: t("conn.advanced"), forceRender: true, children: endpoint }]} />
      )}
    </>
  );
}

export function jobValues(j: Table = {}): Table {
  return {
    protocol: j.protocol ?? "pop3",
    host: j.host ?? "",
    port: j.port ?? undefined,
    tls: j.tls ?? "implicit",
    user: j.user ?? "",
    password: j.password ?? "",
    mode: j.mode === "domain" ? "domain" : "account",
    account: j.account ?? "",
    fallback: j.fallback ?? "",
    interval: j.interval ?? "5m",
    keep_days: j.keep_days ?? undefined,
    enabled: j.enabled ?? true,
  };
}

/** The form values as a `[[collect]]` table. */
export function jobTable(v: Table): Table {
  const { mode, account, fallback, ...rest } = v;
  const target = mode === "domain" ? { mode: "domain", fallback } : { account };
  return compact({ ...rest, ...target });
}

export function CollectJobFields({ form, existing }: { form: FormInstance; existing: boolean }) {
  const { t } = useI18n();
  const mode = Form.useWatch("mode", form) ?? "account";
  const required = { required: true, message: t("common.required") };
  return (
    <>
      <Form.Item name="protocol" label={t("conn.protocol")}>
        <Select data-testid="job-protocol" options={[{ value: "pop3", label: "POP3" }, { value: "imap", label: "IMAP" }]} />
      </Form.Item>
      <Form.Item name="host" label={t("conn.host")} rules={[required]}>
        <Input placeholder="pop.isp.example" data-testid="job-host" />
      </Form.Item>
      <Form.Item name="port" label={t("conn.port")} extra={t("conn.portHelp")}>
        <InputNumber min={1} max={65535} data-testid="job-port" />
      </Form.Item>
      <Form.Item name="tls" label={t("settings.routeTls")}>
        <Select data-testid="job-tls" options={["implicit", "starttls", "none"].map((v) => ({ value: v, label: t(`conn.tls.${v}` as Key) }))} />
      </Form.Item>
      <Form.Item name="user" label={t("conn.user")} rules={[required]}>
        <Input data-testid="job-user" autoComplete="off" />
      </Form.Item>
      <Form.Item name="password" label={t("conn.password")} rules={[required]}
        extra={existing ? t("conn.passwordKept") : undefined}>
        <Input.Password data-testid="job-password" autoComplete="new-password" />
      </Form.Item>
      <Form.Item name="mode" label={t("conn.mode")}>
        <Radio.Group data-testid="job-mode" options={[
          { value: "account", label: t("conn.mode.account") },
          { value: "domain", label: t("conn.mode.domain") },
        ]} />
      </Form.Item>
      {mode === "domain" ? (
        <Form.Item name="fallback" label={t("conn.fallback")} rules={[required]} extra={t("conn.fallbackHelp")}>
          <Input data-testid="job-fallback" />
        </Form.Item>
      ) : (
        <Form.Item name="account" label={t("conn.deliverTo")} rules={[required]}>
          <Input placeholder="alice@example.com" data-testid="job-account" />
        </Form.Item>
      )}
      <Form.Item name="interval" label={t("conn.interval")} extra={t("conn.intervalHelp")}>
        <Input data-testid="job-interval" />
      </Form.Item>
      <Form.Item name="keep_days" label={t("conn.keepDays")} extra={t("conn.keepDaysHelp")}>
        <InputNumber min={0} data-testid="job-keep-days" />
      </Form.Item>
      <Form.Item name="enabled" label={t("conn.enabled")} valuePropName="checked">
        <Switch data-testid="job-enabled" />
      </Form.Item>
    </>
  );
}
