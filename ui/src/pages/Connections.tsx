// The Internet connection: dynamic DNS (public address, each record's state) and the
// mailboxes Postroom collects mail from, with "fetch now".
import { Alert, Button, Card, Descriptions, Empty, Table, Tag, Typography } from "antd";
import { api } from "../api";
import { PageHeader } from "../components/PageHeader";
import { formatRelative, formatTime } from "../format";
import { errorText, useAction, useEvents, useLoad, useThrottled } from "../hooks";
import { useI18n, type Key } from "../i18n";
import type { CollectStatus, DdnsRecordStatus } from "../types";

const RESULT_COLORS: Record<string, string> = { good: "green", nochg: "blue", retrying: "orange", stopped: "red" };

/** The translation key of a DDNS record's state. */
export function ddnsResultKey(r: Pick<DdnsRecordStatus, "last_result" | "stopped">): Key {
  if (r.stopped) return "conn.result.stopped";
  const known = ["good", "nochg", "retrying", "stopped"];
  return r.last_result && known.includes(r.last_result) ? (`conn.result.${r.last_result}` as Key) : "conn.result.none";
}

function Ddns() {
  const { t, lang } = useI18n();
  const ddns = useLoad(api.ddns);
  const d = ddns.data;
  const now = Date.now() / 1000;
  const when = (v: number | null) => (v ? formatTime(v, lang) : t("conn.never"));
  return (
    <Card title={t("conn.ddns")} size="small" style={{ marginBottom: 16 }} data-testid="ddns-card">
      {ddns.error && <Alert type="info" showIcon message={t("settings.unavailable", { reason: errorText(t, ddns.error) })} />}
      {d && !d.enabled && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("conn.ddnsOff")} />}
      {d && d.enabled && (
        <>
          <Descriptions size="small" column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t("conn.publicIp")}>
              {[d.ipv4, d.ipv6].filter(Boolean).join(", ") || "—"}
            </Descriptions.Item>
            <Descriptions.Item label={t("conn.lastCheck")}>{when(d.last_check)}</Descriptions.Item>
          </Descriptions>
          {d.last_check_error && (
            <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t("conn.checkFailed", { error: d.last_check_error })} />
          )}
          <Table<DdnsRecordStatus>
            size="small"
            pagination={false}
            rowKey={(r) => `${r.provider} ${r.hostname}`}
            dataSource={d.records}
            columns={[
              { title: t("conn.hostname"), dataIndex: "hostname" },
              { title: t("conn.provider"), dataIndex: "provider" },
              { title: t("conn.addresses"), render: (_, r) => r.addresses.join(", ") || "—" },
              {
                title: t("conn.result"),
                render: (_, r) => (
                  <>
                    <Tag color={RESULT_COLORS[r.stopped ? "stopped" : (r.last_result ?? "")]}>{t(ddnsResultKey(r))}</Tag>
                    {r.last_error && <div><Typography.Text type="danger">{r.last_error}</Typography.Text></div>}
                  </>
                ),
              },
              { title: t("conn.lastUpdate"), render: (_, r) => when(r.last_update) },
              { title: t("conn.nextRun"), render: (_, r) => (r.next_run ? formatRelative(r.next_run, now, lang) : "—") },
            ]}
          />
        </>
      )}
    </Card>
  );
}

function Collect() {
  const { t, lang } = useI18n();
  const jobs = useLoad(api.collect);
  const action = useAction();
  const refresh = useThrottled(() => void jobs.reload(), 1000);
  // A run delivers messages and logs its progress: show the new numbers.
  useEvents((e) => {
    if (e.type === "change" && e.kind === "message_added") refresh();
    if (e.type === "log" && e.target.startsWith("connect")) refresh();
  });
  const now = Date.now() / 1000;
  return (
    <Card title={t("conn.collect")} size="small" data-testid="collect-card">
      <Typography.Paragraph type="secondary">{t("conn.collectHelp")}</Typography.Paragraph>
      {jobs.error && <Alert type="info" showIcon message={t("settings.unavailable", { reason: errorText(t, jobs.error) })} />}
      <Table<CollectStatus>
        size="small"
        pagination={false}
        rowKey="index"
        loading={jobs.loading && !jobs.data}
        dataSource={jobs.data}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("conn.collectEmpty")} /> }}
        columns={[
          { title: t("conn.mailbox"), dataIndex: "label", render: (v: string) => <code>{v}</code> },
          { title: t("conn.deliverTo"), dataIndex: "account" },
          {
            title: t("conn.lastRun"),
            render: (_, j) => (
              <>
                {!j.enabled ? <Tag>{t("conn.disabled")}</Tag> : j.running ? <Tag color="processing">{t("conn.fetching")}</Tag> : null}
                {j.last_run ? formatTime(j.last_run, lang) : t("conn.never")}
                {j.last_error && <div><Typography.Text type="danger">{j.last_error}</Typography.Text></div>}
              </>
            ),
          },
          { title: t("conn.fetched"), render: (_, j) => `${j.fetched} / ${j.fetched_total}` },
          { title: t("conn.nextRun"), render: (_, j) => (j.next_run ? formatRelative(j.next_run, now, lang) : "—") },
          {
            title: t("common.actions"),
            render: (_, j) => (
              <Button size="small" disabled={!j.enabled} loading={j.running} onClick={async () => {
                await action(() => api.collectRun(j.index), t("conn.started", { name: j.label }));
                await jobs.reload();
              }}>
                {t("conn.fetchNow")}
              </Button>
            ),
          },
        ]}
      />
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
    </div>
  );
}
