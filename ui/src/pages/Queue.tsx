// The outbound queue: a table with a state filter, and a drawer with one entry's attempts.
import { useState } from "react";
import { Alert, Button, Descriptions, Drawer, Empty, Popconfirm, Select, Space, Table, Tag, Timeline, Typography } from "antd";
import { api } from "../api";
import { PageHeader } from "../components/PageHeader";
import { formatBytes, formatRelative, formatTime } from "../format";
import { errorText, useAction, useEvents, useLoad, useThrottled } from "../hooks";
import { useI18n, type Key } from "../i18n";
import { QUEUE_STATES, type QueueEntry, type QueueFilter, type QueueState } from "../types";

const STATE_COLORS: Record<QueueState, string> = {
  queued: "blue",
  "in-flight": "cyan",
  deferred: "orange",
  held: "purple",
  delivered: "green",
  failed: "red",
};

export function StateTag({ state }: { state: QueueState }) {
  const { t } = useI18n();
  return <Tag color={STATE_COLORS[state] ?? "default"}>{t(`queue.state.${state}` as Key)}</Tag>;
}

function Detail({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const detail = useLoad(() => api.queueEntry(id), [id]);
  const action = useAction();
  useEvents((e) => {
    if (e.type === "change" && (e.kind === "queue_updated" || e.kind === "queue_added") && e.ids.includes(id)) void detail.reload();
  });
  const act = async (run: () => Promise<unknown>, done: Key, close = false) => {
    await action(run, t(done));
    onChanged();
    if (close) onClose();
    else await detail.reload();
  };
  const e = detail.data?.entry;
  const now = Date.now() / 1000;
  return (
    <Drawer open width={640} title={t("queue.detail", { id })} onClose={onClose} rootClassName="queue-drawer"
      extra={e && (
        <Space>
          {e.state !== "held" && e.state !== "delivered" && e.state !== "failed" && (
            <Button onClick={() => void act(() => api.queueHold(id), "queue.held")} data-testid="queue-hold">{t("queue.hold")}</Button>
          )}
          {e.state === "held" && (
            <Button onClick={() => void act(() => api.queueRelease(id), "queue.released")} data-testid="queue-release">{t("queue.release")}</Button>
          )}
          {(e.state === "queued" || e.state === "deferred") && (
            <Button type="primary" onClick={() => void act(() => api.queueRetry(id), "queue.retry")}>{t("queue.retry")}</Button>
          )}
          <Popconfirm title={t("common.confirmRemove", { name: `#${id}` })} okText={t("common.yes")} cancelText={t("common.no")}
            onConfirm={() => void act(() => api.queueDelete(id), "queue.deleted", true)}>
            <Button danger>{t("queue.delete")}</Button>
          </Popconfirm>
        </Space>
      )}>
      {detail.error && <Alert type="error" showIcon message={errorText(t, detail.error)} />}
      {e && (
        <>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t("queue.state")}><span data-testid="queue-drawer-state"><StateTag state={e.state} /></span></Descriptions.Item>
            <Descriptions.Item label={t("queue.sender")}>{e.sender || t("queue.nullSender")}</Descriptions.Item>
            <Descriptions.Item label={t("queue.recipient")}>{e.recipient}</Descriptions.Item>
            <Descriptions.Item label={t("queue.size")}>{formatBytes(e.size)}</Descriptions.Item>
            <Descriptions.Item label={t("queue.created")}>{formatTime(e.created_at, lang)}</Descriptions.Item>
            <Descriptions.Item label={t("queue.nextAttempt")}>{e.state === "held" ? "—" : formatRelative(e.next_attempt, now, lang)}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 24 }}>{t("queue.timeline")}</Typography.Title>
          {detail.data!.attempts.length === 0 ? (
            <Typography.Text type="secondary">{t("queue.noAttempts")}</Typography.Text>
          ) : (
            <Timeline
              items={detail.data!.attempts.map((a) => ({
                color: a.outcome === "delivered" ? "green" : a.outcome === "failed" ? "red" : "orange",
                children: (
                  <div>
                    <strong>{t(`queue.outcome.${a.outcome}` as Key)}</strong> · {formatTime(a.at, lang)}
                    <div>{t("queue.host")}: {a.host ?? "—"} · {t("queue.tls")}: {a.tls ?? t("common.none")}</div>
                    <Typography.Text code style={{ whiteSpace: "pre-wrap" }}>{a.reply}</Typography.Text>
                  </div>
                ),
              }))}
            />
          )}
        </>
      )}
    </Drawer>
  );
}

export default function Queue() {
  const { t, lang } = useI18n();
  const [filter, setFilter] = useState<QueueFilter>({});
  const queue = useLoad(() => api.queue(filter), [filter.state]);
  const action = useAction();
  const [open, setOpen] = useState<number>();
  const refresh = useThrottled(() => void queue.reload(), 700);
  useEvents((e) => {
    if (e.type === "change" && (e.kind === "queue_added" || e.kind === "queue_updated")) refresh();
  });
  const now = Date.now() / 1000;

  return (
    <div data-testid="queue-page">
      <PageHeader
        title={t("queue.title")}
        extra={
          <>
            <span>{t("queue.filter")}</span>
            <Select<string>
              style={{ width: 180 }}
              value={filter.state ?? ""}
              data-testid="queue-filter"
              onChange={(v) => setFilter(v ? { state: v as QueueFilter["state"] } : {})}
              options={[
                { value: "", label: t("queue.unfinished") },
                { value: "all", label: t("queue.all") },
                ...QUEUE_STATES.map((s) => ({ value: s, label: t(`queue.state.${s}` as Key) })),
              ]}
            />
            <Button onClick={() => void queue.reload()}>{t("common.refresh")}</Button>
            <Button type="primary" data-testid="queue-retry-all" onClick={async () => {
              const r = await action(() => api.queueRetry());
              if (r !== undefined) await action(async () => undefined, t("queue.retried", { n: r }));
              await queue.reload();
            }}>{t("queue.retryAll")}</Button>
          </>
        }
      />
      {queue.error && <Alert type="error" showIcon message={errorText(t, queue.error)} style={{ marginBottom: 16 }} />}
      <Table<QueueEntry>
        rowKey="id"
        size="small"
        loading={queue.loading && !queue.data}
        dataSource={queue.data}
        pagination={{ hideOnSinglePage: true, pageSize: 50 }}
        onRow={(e) => ({ onClick: () => setOpen(e.id), style: { cursor: "pointer" } })}
        locale={{ emptyText: <Empty description={t("queue.empty")} /> }}
        columns={[
          { title: t("queue.id"), dataIndex: "id", width: 70 },
          { title: t("queue.recipient"), dataIndex: "recipient" },
          { title: t("queue.sender"), dataIndex: "sender", render: (s: string) => s || t("queue.nullSender") },
          { title: t("queue.state"), dataIndex: "state", render: (s: QueueState) => <StateTag state={s} /> },
          { title: t("queue.attempts"), dataIndex: "attempts", width: 90 },
          { title: t("queue.nextAttempt"), render: (_, e) => (e.state === "queued" || e.state === "deferred" ? formatRelative(e.next_attempt, now, lang) : "—") },
          { title: t("queue.lastReply"), dataIndex: "last_reply", ellipsis: true, render: (r: string | null) => r ?? "—" },
        ]}
      />
      {open !== undefined && <Detail id={open} onClose={() => setOpen(undefined)} onChanged={() => void queue.reload()} />}
    </div>
  );
}
