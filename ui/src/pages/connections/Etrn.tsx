// ETRN (RFC 1985): the backup MX hosts that hold mail for our domains while this line is down,
// asked to send it at start, on an interval, when the public address changes and on request.
// Entries are added, edited and removed through /api/etrn (applied at once: a new or edited
// entry runs straight away); their configuration comes from the settings, their state from
// GET /api/etrn, joined by position.
import { useState } from "react";
import { Alert, Card, Form, Input, InputNumber, Select, Table, Tag, Tooltip, Typography } from "antd";
import { api } from "../../api";
import { FormModal } from "../../components/FormModal";
import { formatTime } from "../../format";
import { errorText, useEvents, useLoad, useThrottled } from "../../hooks";
import { useI18n, type Key } from "../../i18n";
import { ConnError } from "./ErrorKind";
import { EditRemove, NextRun, RefreshAdd, RunNow } from "./Entries";
import type { EtrnDomainStatus, EtrnStatus, SettingsTree } from "../../types";

type Entry = Record<string, unknown>;

/** The form's values. */
export interface EtrnForm {
  host: string;
  port?: number;
  /** Domains separated by commas, spaces or new lines. */
  domains: string;
  tls: string;
  interval: string;
}

/** A stored `[[etrn]]` table (as GET /api/settings shows it) as form values. */
export function etrnValues(e: Entry = {}): EtrnForm {
  return {
    host: typeof e.host === "string" ? e.host : "",
    port: typeof e.port === "number" ? e.port : 25,
    domains: Array.isArray(e.domains) ? e.domains.join(", ") : "",
    tls: e.tls === "none" ? "none" : "starttls",
    interval: typeof e.interval === "string" ? e.interval : "1h",
  };
}

/** The form's values as a `[[etrn]]` table: domains as a list, empty values left out. */
export function etrnTable(v: EtrnForm): SettingsTree {
  const table: SettingsTree = {
    host: v.host.trim(),
    domains: v.domains.split(/[\s,;]+/).filter(Boolean),
    tls: v.tls,
  };
  if (v.port !== undefined && v.port !== null) table.port = v.port;
  if (v.interval.trim() !== "") table.interval = v.interval.trim();
  return table;
}

const RESULT_COLORS: Record<string, string> = {
  started: "green", nothing_queued: "blue", refused: "orange", unsupported: "red", failed: "red",
};
const RESULTS = Object.keys(RESULT_COLORS);
const TRIGGERS = ["start", "interval", "ip_change", "settings", "manual"];

/** The translation key of a domain's answer. */
export function etrnResultKey(result: string | null): Key {
  return result && RESULTS.includes(result) ? (`etrn.result.${result}` as Key) : "etrn.result.none";
}

/** The translation key of what to make of a domain's unsuccessful answer, if it was one. */
export function etrnHintKey(result: string | null): Key | undefined {
  return result === "refused" || result === "unsupported" || result === "failed" ? (`etrn.hint.${result}` as Key) : undefined;
}

/** The translation key of what started a run, if known. */
export function etrnTriggerKey(trigger: string | null): Key | undefined {
  return trigger && TRIGGERS.includes(trigger) ? (`etrn.trigger.${trigger}` as Key) : undefined;
}

/** The state of configured entry `i`: the status at that position, if it is the same host. */
export function etrnState(status: EtrnStatus[] | undefined, entry: Entry, i: number): EtrnStatus | undefined {
  const s = status?.find((x) => x.index === i);
  return s && s.host === entry.host ? s : undefined;
}

function DomainResult({ d }: { d: EtrnDomainStatus }) {
  const { t } = useI18n();
  const hint = etrnHintKey(d.result);
  return (
    <div data-testid="etrn-domain">
      <code>{d.domain}</code>{" "}
      <Tooltip title={d.reply ?? undefined}>
        <Tag color={d.result ? RESULT_COLORS[d.result] : undefined}>{t(etrnResultKey(d.result))}</Tag>
      </Tooltip>
      {hint && <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{t(hint)}</Typography.Text></div>}
    </div>
  );
}

function EtrnFields() {
  const { t } = useI18n();
  const required = { required: true, message: t("common.required") };
  return (
    <>
      <Typography.Paragraph type="secondary">{t("etrn.formHelp")}</Typography.Paragraph>
      <Form.Item name="host" label={t("etrn.host")} rules={[required]}>
        <Input placeholder="backup-mx.isp.example" data-testid="etrn-host" />
      </Form.Item>
      <Form.Item name="port" label={t("conn.port")}>
        <InputNumber min={1} max={65535} data-testid="etrn-port" />
      </Form.Item>
      <Form.Item name="domains" label={t("etrn.domains")} rules={[required]} extra={t("etrn.domainsHelp")}>
        <Input placeholder="example.com, example.net" data-testid="etrn-domains" />
      </Form.Item>
      <Form.Item name="tls" label={t("settings.routeTls")}>
        <Select data-testid="etrn-tls" options={[
          { value: "starttls", label: t("etrn.tls.starttls") },
          { value: "none", label: t("conn.tls.none") },
        ]} />
      </Form.Item>
      <Form.Item name="interval" label={t("conn.interval")} extra={t("etrn.intervalHelp")}>
        <Input data-testid="etrn-interval" />
      </Form.Item>
    </>
  );
}

export function Etrn() {
  const { t, lang } = useI18n();
  const status = useLoad(api.etrn);
  const settings = useLoad(api.settings);
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const refresh = useThrottled(() => void status.reload(), 1000);
  // ETRN sessions log under the `etrn` target.
  useEvents((e) => { if (e.type === "log" && (e.target === "etrn" || e.target.startsWith("dynip"))) refresh(); });
  const reload = async () => { await Promise.all([settings.reload(), status.reload()]); };
  const list = ((settings.data?.settings.etrn as Entry[] | undefined) ?? []).map((e, i) => ({ ...e, key: String(i) }));
  const index = typeof editing === "number" ? editing : null;
  const name = (e: Entry) => `${String(e.host)}:${String(e.port ?? 25)}`;
  return (
    <Card title={t("etrn.title")} size="small" style={{ marginTop: 16 }} data-testid="etrn-card"
      extra={
        <RefreshAdd onRefresh={() => void reload()} onAdd={() => setEditing("new")} addLabel={t("etrn.add")} addTestId="etrn-add" />
      }>
      <Typography.Paragraph type="secondary">{t("etrn.help")}</Typography.Paragraph>
      {settings.error && <Alert type="info" showIcon message={t("settings.unavailable", { reason: errorText(t, settings.error) })} />}
      <Table<Entry>
        size="small"
        pagination={false}
        loading={settings.loading && !settings.data}
        dataSource={list}
        data-testid="etrn-entries"
        locale={{ emptyText: t("etrn.empty") }}
        columns={[
          { title: t("etrn.host"), render: (_, e) => <code>{name(e)}</code> },
          {
            title: t("etrn.domains"),
            render: (_, e, i) => {
              const s = etrnState(status.data, e, i);
              const domains = s?.domains ?? ((e.domains as string[] | undefined) ?? []).map((d) => ({ domain: d, result: null, reply: null }));
              return domains.map((d) => <DomainResult key={d.domain} d={d} />);
            },
          },
          {
            title: t("etrn.lastRun"),
            render: (_, e, i) => {
              const s = etrnState(status.data, e, i);
              const trigger = etrnTriggerKey(s?.trigger ?? null);
              return (
                <span data-testid="etrn-state">
                  {s?.running && <Tag color="processing">{t("etrn.running")}</Tag>}
                  {s?.last_run ? formatTime(s.last_run, lang) : t("conn.never")}
                  {trigger && <div><Typography.Text type="secondary">{t(trigger)}</Typography.Text></div>}
                  {s?.error && <ConnError kind={s.error_kind} raw={s.error} />}
                </span>
              );
            },
          },
          { title: t("etrn.nextRun"), render: (_, e, i) => <NextRun at={etrnState(status.data, e, i)?.next_run} /> },
          {
            title: t("common.actions"),
            render: (_, e, i) => (
              <EditRemove onEdit={() => setEditing(i)} name={name(e)} remove={() => api.etrnRemove(i)} after={reload}>
                <RunNow label={t("etrn.runNow")} started={t("etrn.asked", { name: name(e) })}
                  run={() => api.etrnRun(i)} after={status.reload} running={etrnState(status.data, e, i)?.running} testId="etrn-run" />
              </EditRemove>
            ),
          },
        ]}
      />
      {editing !== null && (
        <FormModal<EtrnForm> title={t(index === null ? "etrn.add" : "etrn.edit")} open onClose={() => setEditing(null)}
          testId="etrn-modal" initialValues={etrnValues(index === null ? undefined : list[index])}
          onSubmit={async (v) => {
            await (index === null ? api.etrnAdd(etrnTable(v)) : api.etrnChange(index, etrnTable(v)));
            await reload();
          }}>
          <EtrnFields />
        </FormModal>
      )}
    </Card>
  );
}
