// The live log: recent entries, then new ones as events arrive; filter, search, pause.
import { useEffect, useMemo, useRef, useState } from "react";
import { Alert, Button, Empty, Input, Select, Table, Tag, Typography } from "antd";
import { api } from "../api";
import { PageHeader } from "../components/PageHeader";
import { formatTime, logService } from "../format";
import { errorText, useEvents } from "../hooks";
import { useI18n } from "../i18n";
import type { LogEntry } from "../types";

const KEEP = 1000;
const LEVEL_COLORS: Record<string, string> = { ERROR: "red", WARN: "orange", INFO: "blue" };

/** Entries that pass the filters, newest first. */
export function filterLog(entries: LogEntry[], levels: string[], service: string, search: string): LogEntry[] {
  const needle = search.trim().toLowerCase();
  return entries
    .filter((e) => levels.length === 0 || levels.includes(e.level))
    .filter((e) => !service || logService(e.target) === service)
    .filter(
      (e) =>
        !needle ||
        e.message.toLowerCase().includes(needle) ||
        Object.entries(e.fields).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(needle)),
    )
    .slice()
    .reverse();
}

/** `known` plus `more`, by seq, without duplicates, the newest `KEEP`. */
export function mergeLog(known: LogEntry[], more: LogEntry[]): LogEntry[] {
  const last = known.length ? known[known.length - 1].seq : -1;
  const fresh = more.filter((e) => e.seq > last);
  return fresh.length ? [...known, ...fresh].slice(-KEEP) : known;
}

export default function Logs() {
  const { t, lang } = useI18n();
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [error, setError] = useState<string>();
  const [paused, setPaused] = useState(false);
  const [levels, setLevels] = useState<string[]>([]);
  const [service, setService] = useState("");
  const [search, setSearch] = useState("");
  const buffer = useRef<LogEntry[]>([]);
  const [waiting, setWaiting] = useState(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  const load = async () => {
    try {
      const recent = await api.log({ limit: 500 });
      setEntries((known) => mergeLog(known, recent));
      setError(undefined);
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEvents((e) => {
    if (e.type === "lagged") {
      void load();
      return;
    }
    if (e.type !== "log") return;
    const { type: _type, ...entry } = e;
    if (pausedRef.current) {
      buffer.current.push(entry);
      setWaiting(buffer.current.length);
    } else {
      setEntries((known) => mergeLog(known, [entry]));
    }
  });
  const resume = () => {
    setEntries((known) => mergeLog(known, buffer.current));
    buffer.current = [];
    setWaiting(0);
    setPaused(false);
  };

  const services = useMemo(() => [...new Set(entries.map((e) => logService(e.target)))].sort(), [entries]);
  const shown = useMemo(() => filterLog(entries, levels, service, search), [entries, levels, service, search]);

  return (
    <div data-testid="logs-page">
      <PageHeader
        title={t("logs.title")}
        extra={
          <>
            <Select mode="multiple" allowClear placeholder={t("logs.level")} style={{ minWidth: 160 }} value={levels} onChange={setLevels}
              options={["ERROR", "WARN", "INFO"].map((l) => ({ value: l, label: l }))} data-testid="log-level" />
            <Select style={{ width: 160 }} value={service} onChange={setService}
              options={[{ value: "", label: t("logs.allServices") }, ...services.map((s) => ({ value: s, label: s }))]} />
            <Input.Search allowClear placeholder={t("logs.search")} style={{ width: 200 }} value={search}
              onChange={(e) => setSearch(e.target.value)} data-testid="log-search" />
            {paused ? (
              <Button type="primary" onClick={resume}>{t("logs.resume")}</Button>
            ) : (
              <Button onClick={() => setPaused(true)} data-testid="log-pause">{t("logs.pause")}</Button>
            )}
          </>
        }
      />
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      {paused && <Alert type="info" showIcon message={t("logs.pausedNote", { n: waiting })} style={{ marginBottom: 16 }} />}
      <Table<LogEntry>
        size="small"
        rowKey="seq"
        dataSource={shown}
        pagination={{ pageSize: 100, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: <Empty description={t("logs.empty")} /> }}
        columns={[
          { title: t("logs.time"), dataIndex: "time", width: 180, render: (v: number) => formatTime(v, lang, true) },
          { title: t("logs.level"), dataIndex: "level", width: 80, render: (l: string) => <Tag color={LEVEL_COLORS[l]}>{l}</Tag> },
          { title: t("logs.service"), dataIndex: "target", width: 110, render: (v: string) => logService(v) },
          {
            title: t("logs.message"),
            render: (_, e) => (
              <span data-testid="log-line">
                {e.message}{" "}
                {Object.entries(e.fields).map(([k, v]) => (
                  <Typography.Text type="secondary" key={k} style={{ marginRight: 8 }}>{`${k}=${v}`}</Typography.Text>
                ))}
              </span>
            ),
          },
        ]}
      />
    </div>
  );
}
