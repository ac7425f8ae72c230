// Status at a glance: counters, queue, 24-hour traffic, listeners, the receiving switch.
import { useEffect } from "react";
import { Alert, Button, Card, Col, Empty, Popconfirm, Row, Statistic, Table, Tag, Typography } from "antd";
import { api } from "../api";
import { TrafficChart } from "../components/TrafficChart";
import { formatDuration } from "../format";
import { errorText, useAction, useEvents, useLoad, useThrottled } from "../hooks";
import { useI18n, type Key } from "../i18n";
import type { Counters, ListenerStatus, QueueCounts } from "../types";

const COUNTERS: [keyof Counters, Key][] = [
  ["received", "dash.received"],
  ["delivered", "dash.delivered"],
  ["rejected", "dash.rejected"],
  ["deferred", "dash.deferred"],
  ["bounced", "dash.bounced"],
  ["auth_failures", "dash.authFailures"],
];

const QUEUE: [keyof QueueCounts, Key][] = [
  ["queued", "dash.queueQueued"],
  ["deferred", "dash.queueDeferred"],
  ["held", "dash.queueHeld"],
  ["failed", "dash.queueFailed"],
];

export default function Dashboard() {
  const { t, lang } = useI18n();
  const status = useLoad(api.status);
  const action = useAction();
  const refresh = useThrottled(() => void status.reload(), 1000);
  useEvents(refresh);
  // Uptime and the hourly chart move on even when nothing happens.
  useEffect(() => {
    const timer = setInterval(refresh, 15000);
    return () => clearInterval(timer);
  }, [refresh]);
  const s = status.data;

  if (!s) {
    return status.error ? <Alert type="error" showIcon message={errorText(t, status.error)} /> : <Card loading />;
  }
  const hasTraffic = s.history.some((h) => h.received + h.delivered + h.rejected > 0);
  const setReceiving = async (paused: boolean) => {
    await action(() => api.setReceiving(paused), t(paused ? "dash.pausedNow" : "dash.resumed"));
    await status.reload();
  };

  return (
    <div data-testid="dashboard">
      {s.receiving_paused && (
        <Alert
          type="warning"
          showIcon
          data-testid="paused-banner"
          message={t("dash.paused")}
          action={<Button type="primary" onClick={() => void setReceiving(false)}>{t("dash.resume")}</Button>}
          style={{ marginBottom: 16 }}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Card><Statistic title={t("dash.version")} value={s.version} /></Card>
        </Col>
        <Col xs={12} md={6}>
          <Card><Statistic title={t("dash.uptime")} value={formatDuration(s.uptime_secs, lang)} /></Card>
        </Col>
        {COUNTERS.map(([key, label]) => (
          <Col xs={12} md={6} lg={4} key={key}>
            <Card size="small">
              <div data-testid={`counter-${key}`}><Statistic title={t(label)} value={s.counters[key]} /></div>
              <Typography.Text type="secondary">{t("dash.sinceStart")}</Typography.Text>
            </Card>
          </Col>
        ))}
      </Row>
      {s.queue && (
        <Card title={t("dash.queue")} size="small" style={{ marginTop: 16 }} extra={<a href="#/queue">{t("nav.queue")}</a>}>
          <Row gutter={16}>
            {QUEUE.map(([key, label]) => (
              <Col span={6} key={key}>
                <Statistic title={t(label)} value={s.queue![key]} valueStyle={key === "failed" && s.queue![key] > 0 ? { color: "#cf1322" } : undefined} />
              </Col>
            ))}
          </Row>
        </Card>
      )}
      <Card title={t("dash.traffic")} size="small" style={{ marginTop: 16 }}>
        {hasTraffic ? <TrafficChart history={s.history} /> : <Empty description={t("dash.noTraffic")} />}
      </Card>
      <Card
        title={t("dash.listeners")}
        size="small"
        style={{ marginTop: 16 }}
        extra={
          !s.receiving_paused && s.receiving_paused !== undefined ? (
            <Popconfirm title={t("dash.pause") + "?"} onConfirm={() => void setReceiving(true)}>
              <Button size="small" danger data-testid="pause-receiving">{t("dash.pause")}</Button>
            </Popconfirm>
          ) : null
        }
      >
        <Table<ListenerStatus>
          size="small"
          pagination={false}
          rowKey={(l) => `${l.service} ${l.address}`}
          dataSource={s.listeners}
          columns={[
            { title: t("dash.service"), dataIndex: "service" },
            { title: t("dash.address"), dataIndex: "address", render: (a: string) => <code>{a}</code> },
            {
              title: t("dash.state"),
              render: (_, l) =>
                l.up ? <Tag color="green">{t("dash.up")}</Tag> : (
                  <span><Tag color="red">{t("dash.down")}</Tag>{l.error}</span>
                ),
            },
          ]}
        />
      </Card>
    </div>
  );
}
