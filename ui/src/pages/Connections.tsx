// The Internet connection: dynamic DNS (on/off, the records to keep updated and each one's
// state), the mailboxes Postroom collects mail from (jobs, state, "fetch now"), the backup
// MX hosts asked with ETRN (connections/Etrn.tsx), and the connectivity doctor. A last error
// is worded by its kind in the reader's language (connections/ErrorKind.tsx). Records and
// jobs are saved through PUT /api/settings, which replaces a whole array of tables (a
// password sent back as `********` keeps the stored one) and applies them at once.
import { useState } from "react";
import { Alert, App, Button, Card, Descriptions, Form, Input, Space, Switch, Table, Tag, Typography } from "antd";
import { api } from "../api";
import { PageHeader } from "../components/PageHeader";
import { FormModal } from "../components/FormModal";
import { Doctor } from "../components/Doctor";
import { Etrn } from "./connections/Etrn";
import { ConnError } from "./connections/ErrorKind";
import { EditRemove, NextRun, RefreshAdd, RunNow } from "./connections/Entries";
import {
  CollectJobFields, DdnsRecordFields, compact, jobTable, jobValues, recordValues, scopeError, type Table as Entry,
} from "./connections/Forms";
import { formatTime } from "../format";
import { errorText, useEvents, useLoad, useThrottled } from "../hooks";
import { useI18n, type Key } from "../i18n";
import type { CollectStatus, DdnsRecordStatus, SettingsResponse, SettingsTree } from "../types";

const RESULT_COLORS: Record<string, string> = { good: "green", nochg: "blue", retrying: "orange", stopped: "red" };

/** The translation key of a DDNS record's state. */
export function ddnsResultKey(r: Pick<DdnsRecordStatus, "last_result" | "stopped">): Key {
  if (r.stopped) return "conn.result.stopped";
  const known = ["good", "nochg", "retrying", "stopped"];
  return r.last_result && known.includes(r.last_result) ? (`conn.result.${r.last_result}` as Key) : "conn.result.none";
}

/** One array of tables in the settings: where it is read and how a new one is written. */
interface ListSpec {
  /** The error field prefix, e.g. `collect` (`collect[2].host`). */
  key: string;
  read: (s: SettingsTree) => unknown;
  /** The change for PUT /api/settings; `null` removes the key (no entries). */
  write: (list: Entry[] | null) => SettingsTree;
}

export const DDNS_RECORDS: ListSpec = {
  key: "ddns.record",
  read: (s) => (s.ddns as SettingsTree | undefined)?.record,
  write: (list) => ({ ddns: { record: list } }),
};
export const COLLECT_JOBS: ListSpec = { key: "collect", read: (s) => s.collect, write: (list) => ({ collect: list }) };

/**
 * Replaces (`index`), adds (`index` null) or removes (`entry` null) one entry of `spec`'s
 * array, starting from the stored settings. A field error about that entry comes back
 * relative to it (`hostname`), ready for its form.
 */
export async function saveEntry(spec: ListSpec, index: number | null, entry: Entry | null): Promise<SettingsResponse> {
  const current = await api.settings();
  const list = [...((spec.read(current.settings) as Entry[] | undefined) ?? [])];
  const at = index ?? list.length;
  if (entry) list[at] = entry;
  else list.splice(at, 1);
  try {
    return await api.updateSettings(spec.write(list.length > 0 ? list : null));
  } catch (e) {
    throw scopeError(e, `${spec.key}[${at}]`);
  }
}

/** Rows for a table: each entry keyed by its position. */
const keyed = (list: Entry[]) => list.map((e, i) => ({ ...e, key: String(i) }));

/** The settings (for editing) and a reload of both them and a status. */
function useConfigured(spec: ListSpec) {
  const settings = useLoad(api.settings);
  const list = ((settings.data && spec.read(settings.data.settings)) as Entry[] | undefined) ?? [];
  return { settings, list };
}

function RestartNotice({ saved }: { saved?: SettingsResponse }) {
  const { t } = useI18n();
  const pending = saved?.pending_restart ?? [];
  if (pending.length === 0) return null;
  return <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t("settings.restartNeeded", { keys: pending.join(", ") })} />;
}

function DdnsOptions({ open, onClose, ddns, onSaved }: { open: boolean; onClose: () => void; ddns: SettingsTree; onSaved: (r: SettingsResponse) => void }) {
  const { t } = useI18n();
  const lines = (v: unknown) => (Array.isArray(v) ? v.join("\n") : "");
  const list = (v: string) => v.split("\n").map((s) => s.trim()).filter(Boolean);
  return (
    <FormModal<{ ipv4_endpoints: string; ipv6_endpoints: string }>
      title={t("conn.ddnsOptions")} open={open} onClose={onClose} testId="ddns-options-modal"
      initialValues={{ ipv4_endpoints: lines(ddns.ipv4_endpoints), ipv6_endpoints: lines(ddns.ipv6_endpoints) }}
      onSubmit={async (v) => onSaved(await api.updateSettings({ ddns: { ipv4_endpoints: list(v.ipv4_endpoints), ipv6_endpoints: list(v.ipv6_endpoints) } }))}>
      <Typography.Paragraph type="secondary">{t("conn.echoHelp")}</Typography.Paragraph>
      <Form.Item name="ipv4_endpoints" label={t("conn.echo4")}><Input.TextArea rows={3} data-testid="echo4" /></Form.Item>
      <Form.Item name="ipv6_endpoints" label={t("conn.echo6")}><Input.TextArea rows={3} data-testid="echo6" /></Form.Item>
    </FormModal>
  );
}

function Ddns() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const ddns = useLoad(api.ddns);
  const { settings, list } = useConfigured(DDNS_RECORDS);
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [options, setOptions] = useState(false);
  const [saved, setSaved] = useState<SettingsResponse>();
  const refresh = useThrottled(() => void ddns.reload(), 1000);
  useEvents((e) => { if (e.type === "log" && e.target.startsWith("dynip")) refresh(); });
  const reload = async (r?: SettingsResponse) => {
    if (r) setSaved(r);
    await Promise.all([settings.reload(), ddns.reload()]);
  };
  const d = ddns.data;
  const section = (settings.data?.settings.ddns as SettingsTree | undefined) ?? {};
  const enabled = section.enabled === true;
  const when = (v: number | null | undefined) => (v ? formatTime(v, lang) : t("conn.never"));
  // The state of configured record `i` (the status lists them in the same order).
  const state = (r: Entry, i: number) => d?.records.find((s, j) => j === i && s.hostname === r.hostname);
  const index = typeof editing === "number" ? editing : null;
  return (
    <Card title={t("conn.ddns")} size="small" style={{ marginBottom: 16 }} data-testid="ddns-card"
      extra={
        <Space wrap>
          <Switch checked={enabled} data-testid="ddns-enabled" checkedChildren={t("conn.on")} unCheckedChildren={t("conn.off")}
            disabled={!settings.data}
            onChange={async (on) => {
              try {
                await reload(await api.updateSettings({ ddns: { enabled: on } }));
              } catch (e) {
                void message.error(errorText(t, e));
              }
            }} />
          <Button size="small" onClick={() => setOptions(true)} data-testid="ddns-options">{t("conn.ddnsOptions")}</Button>
          <Button size="small" onClick={() => void reload()}>{t("common.refresh")}</Button>
          <Button size="small" type="primary" onClick={() => setEditing("new")} data-testid="ddns-add">{t("conn.addRecord")}</Button>
        </Space>
      }>
      {settings.error && <Alert type="info" showIcon message={t("settings.unavailable", { reason: errorText(t, settings.error) })} />}
      <RestartNotice saved={saved} />
      {!enabled && <Typography.Paragraph type="secondary">{t("conn.ddnsOff")}</Typography.Paragraph>}
      {d && d.enabled && (
        <>
          <Descriptions size="small" column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t("conn.publicIp")}>{[d.ipv4, d.ipv6].filter(Boolean).join(", ") || "—"}</Descriptions.Item>
            <Descriptions.Item label={t("conn.lastCheck")}>{when(d.last_check)}</Descriptions.Item>
          </Descriptions>
          {d.last_check_error && (
            <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t("conn.checkFailed", { error: d.last_check_error })} />
          )}
        </>
      )}
      <Table<Entry>
        size="small"
        pagination={false}
        dataSource={keyed(list)}
        data-testid="ddns-records"
        locale={{ emptyText: t("conn.noRecords") }}
        columns={[
          { title: t("conn.hostname"), dataIndex: "hostname" },
          { title: t("conn.provider"), dataIndex: "provider" },
          { title: t("conn.addresses"), render: (_, r, i) => state(r, i)?.addresses.join(", ") || "—" },
          {
            title: t("conn.result"),
            render: (_, r, i) => {
              const s = state(r, i);
              if (!s) return <Tag>{t("conn.result.none")}</Tag>;
              return (
                <span data-testid="ddns-result">
                  <Tag color={RESULT_COLORS[s.stopped ? "stopped" : (s.last_result ?? "")]}>{t(ddnsResultKey(s))}</Tag>
                  {s.last_error && <ConnError kind={s.last_error_kind} raw={s.last_error} />}
                </span>
              );
            },
          },
          { title: t("conn.lastUpdate"), render: (_, r, i) => when(state(r, i)?.last_update) },
          { title: t("conn.nextRun"), render: (_, r, i) => <NextRun at={state(r, i)?.next_run} /> },
          {
            title: t("common.actions"),
            render: (_, r, i) => (
              <EditRemove onEdit={() => setEditing(i)} name={String(r.hostname)} remove={() => saveEntry(DDNS_RECORDS, i, null)} after={() => reload()} />
            ),
          },
        ]}
      />
      {editing !== null && (
        <FormModal<Entry> title={t(index === null ? "conn.addRecord" : "conn.editRecord")} open onClose={() => setEditing(null)}
          testId="ddns-record-modal" initialValues={recordValues(index === null ? undefined : list[index])}
          onSubmit={async (v) => reload(await saveEntry(DDNS_RECORDS, index, compact(v)))}>
          {(form) => <DdnsRecordFields form={form} existing={index !== null} />}
        </FormModal>
      )}
      {options && <DdnsOptions open ddns={section} onClose={() => setOptions(false)} onSaved={(r) => void reload(r)} />}
    </Card>
  );
}

function Collect() {
  const { t, lang } = useI18n();
  const jobs = useLoad(api.collect);
  const { settings, list } = useConfigured(COLLECT_JOBS);
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [saved, setSaved] = useState<SettingsResponse>();
  const refresh = useThrottled(() => void jobs.reload(), 1000);
  // A run delivers messages and logs its progress: show the new numbers.
  useEvents((e) => {
    if (e.type === "change" && e.kind === "message_added") refresh();
    if (e.type === "log" && e.target.startsWith("dynip")) refresh();
  });
  const reload = async (r?: SettingsResponse) => {
    if (r) setSaved(r);
    await Promise.all([settings.reload(), jobs.reload()]);
  };
  const state = (i: number): CollectStatus | undefined => jobs.data?.find((j) => j.index === i);
  const index = typeof editing === "number" ? editing : null;
  return (
    <Card title={t("conn.collect")} size="small" data-testid="collect-card"
      extra={
        <RefreshAdd onRefresh={() => void reload()} onAdd={() => setEditing("new")} addLabel={t("conn.addJob")} addTestId="collect-add" />
      }>
      <Typography.Paragraph type="secondary">{t("conn.collectHelp")}</Typography.Paragraph>
      {settings.error && <Alert type="info" showIcon message={t("settings.unavailable", { reason: errorText(t, settings.error) })} />}
      <RestartNotice saved={saved} />
      <Table<Entry>
        size="small"
        pagination={false}
        loading={settings.loading && !settings.data}
        dataSource={keyed(list)}
        data-testid="collect-jobs"
        locale={{ emptyText: t("conn.collectEmpty") }}
        columns={[
          { title: t("conn.mailbox"), render: (_, j, i) => <code>{state(i)?.label ?? `${j.protocol}://${j.user}@${j.host}`}</code> },
          { title: t("conn.deliverTo"), render: (_, j) => String(j.mode === "domain" ? t("conn.mode.domainTo", { fallback: String(j.fallback) }) : j.account) },
          {
            title: t("conn.lastRun"),
            render: (_, j, i) => {
              const s = state(i);
              return (
                <span data-testid="collect-state">
                  {j.enabled === false ? <Tag>{t("conn.disabled")}</Tag> : s?.running ? <Tag color="processing">{t("conn.fetching")}</Tag> : null}
                  {s?.last_run ? formatTime(s.last_run, lang) : t("conn.never")}
                  {s?.last_error && <ConnError kind={s.last_error_kind} raw={s.last_error} />}
                </span>
              );
            },
          },
          { title: t("conn.fetched"), render: (_, _j, i) => { const s = state(i); return s ? <span data-testid="collect-fetched">{`${s.fetched} / ${s.fetched_total}`}</span> : "—"; } },
          { title: t("conn.nextRun"), render: (_, _j, i) => <NextRun at={state(i)?.next_run} /> },
          {
            title: t("common.actions"),
            render: (_, j, i) => {
              const s = state(i);
              return (
                <EditRemove onEdit={() => setEditing(i)} name={s?.label ?? String(j.host)} remove={() => saveEntry(COLLECT_JOBS, i, null)} after={() => reload()}>
                  <RunNow label={t("conn.fetchNow")} started={t("conn.started", { name: s?.label ?? String(j.host) })}
                    run={() => api.collectRun(i)} after={jobs.reload} running={s?.running} disabled={!s?.enabled} testId="collect-run" />
                </EditRemove>
              );
            },
          },
        ]}
      />
      {editing !== null && (
        <FormModal<Entry> title={t(index === null ? "conn.addJob" : "conn.editJob")} open onClose={() => setEditing(null)}
          testId="collect-job-modal" initialValues={jobValues(index === null ? undefined : list[index])}
          onSubmit={async (v) => reload(await saveEntry(COLLECT_JOBS, index, jobTable(v)))}>
          {(form) => <CollectJobFields form={form} existing={index !== null} />}
        </FormModal>
      )}
    </Card>
  );
}

export default function Connections() {
  const { t } = useI18n();
  return (
    <div data-testid="connections-page">
      <PageHeader title={t("nav.connections")} />
      <Ddns />
      <Collect />
      <Etrn />
      <Doctor />
    </div>
  );
}
