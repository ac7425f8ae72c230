// Settings: `postroom.toml` in grouped forms. Server validation errors appear next to the
// field they name; keys that need a restart are listed at the top.
import { createContext, useContext, useMemo, useState } from "react";
import { Alert, Button, Card, Col, Empty, Form, Input, InputNumber, Row, Select, Space, Switch, Tabs, Typography } from "antd";
import { api, toApiError } from "../api";
import { ByteSizeInput } from "../components/ByteSizeInput";
import { CertificateCard } from "../components/SettingsCards";
import { PageHeader } from "../components/PageHeader";
import { fieldPath, hasPath } from "../format";
import { errorText, useAction, useLoad } from "../hooks";
import { useI18n } from "../i18n";
import type { SettingSchema, SettingsResponse, SettingsTree } from "../types";

/** The keys of `next` whose values differ from `prev` (compared as JSON). */
export function changedKeys(prev: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) {
    if (JSON.stringify(v ?? null) !== JSON.stringify(prev[k] ?? null)) out[k] = v ?? null;
  }
  return out;
}

/** The declared keys by path (`limits.max_errors`), from `GET /api/settings/schema`. */
const Schema = createContext<ReadonlyMap<string, SettingSchema>>(new Map());

function FieldFor({ value, path }: { value: unknown; path: (string | number)[] }) {
  const { lang } = useI18n();
  const key = String(path[path.length - 1]);
  const declared = useContext(Schema).get(path.join("."));
  const label = declared?.label[lang] || key;
  const name = path;
  const testId = `field-${path.join(".")}`;
  const common = {
    name,
    label: <span>{label} <Typography.Text type="secondary" code>{key}</Typography.Text></span>,
    tooltip: declared?.help[lang],
  };
  if (Array.isArray(value)) {
    return <Form.Item {...common}><Select mode="tags" tokenSeparators={[",", " "]} open={false} suffixIcon={null} data-testid={testId} /></Form.Item>;
  }
  if (typeof value === "number" && declared?.unit === "bytes") {
    return <Form.Item {...common}><ByteSizeInput testId={testId} /></Form.Item>;
  }
  if (typeof value === "number") {
    return <Form.Item {...common}><InputNumber style={{ width: 240 }} min={declared?.min} max={declared?.max} data-testid={testId} /></Form.Item>;
  }
  if (typeof value === "boolean") {
    return <Form.Item {...common} valuePropName="checked"><Switch data-testid={testId} /></Form.Item>;
  }
  return <Form.Item {...common}><Input style={{ maxWidth: 420 }} data-testid={testId} /></Form.Item>;
}

/** Saves `changes`; a field error goes next to its field, anything else into an alert. */
function useSave(form: ReturnType<typeof Form.useForm>[0], onSaved: (r: SettingsResponse) => void) {
  const { t } = useI18n();
  const action = useAction();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const save = async (changes: SettingsTree) => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.updateSettings(changes);
      onSaved(result);
      await action(async () => undefined, t("common.saved"));
    } catch (e) {
      const err = toApiError(e);
      const path = err.field ? fieldPath(err.field) : [];
      if (path.length && hasPath(form.getFieldsValue(true), path)) {
        form.setFields([{ name: path, errors: [errorText(t, err)] }]);
      } else {
        setError(errorText(t, err));
      }
    } finally {
      setBusy(false);
    }
  };
  return { save, error, busy };
}

/** One section (`limits`, `queue`...) or the top-level keys (`section` ""). */
function SectionForm({ title, section, values, keys, help, onSaved }: {
  title: string; section: string; values: Record<string, unknown>; keys?: string[]; help?: string;
  onSaved: (r: SettingsResponse) => void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm();
  const { save, error, busy } = useSave(form, onSaved);
  const simple = (v: unknown) =>
    v === null || typeof v !== "object" || (Array.isArray(v) && v.every((x) => typeof x !== "object"));
  const shown = (keys ?? Object.keys(values)).filter((k) => k in values && simple(values[k]));
  const initial = section ? { [section]: Object.fromEntries(shown.map((k) => [k, values[k]])) } : Object.fromEntries(shown.map((k) => [k, values[k]]));
  const submit = async () => {
    const all = form.getFieldsValue(true) as Record<string, Record<string, unknown>>;
    const next = section ? all[section] : (all as Record<string, unknown>);
    const diff = changedKeys(values, next);
    if (Object.keys(diff).length === 0) return;
    await save(section ? { [section]: diff } : diff);
  };
  return (
    <Card title={title} size="small" style={{ marginBottom: 16 }} data-testid={`settings-${section || "general"}`}>
      {help && <Typography.Paragraph type="secondary">{help}</Typography.Paragraph>}
      <Form form={form} layout="vertical" initialValues={initial} onFinish={() => void submit()}>
        <Row gutter={24}>
          {shown.map((k) => (
            <Col xs={24} lg={12} key={k}>
              <FieldFor value={values[k]} path={section ? [section, k] : [k]} />
            </Col>
          ))}
        </Row>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
        <Button type="primary" htmlType="submit" loading={busy} data-testid={`save-${section || "general"}`}>{t("common.save")}</Button>
      </Form>
    </Card>
  );
}

interface Route { domains: string[]; relay: string[]; tls: string; username?: string; password?: string; ca?: string }

function RoutesForm({ routes, onSaved }: { routes: Route[]; onSaved: (r: SettingsResponse) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm();
  const { save, error, busy } = useSave(form, onSaved);
  const submit = async () => {
    const list = ((form.getFieldsValue(true) as { route?: Route[] }).route ?? []).map((r) =>
      Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== "")),
    );
    await save({ route: list });
  };
  return (
    <Card title={t("settings.routes")} size="small" style={{ marginBottom: 16 }} data-testid="settings-route">
      <Typography.Paragraph type="secondary">{t("settings.routesHelp")}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ route: routes }} onFinish={() => void submit()}>
        <Form.List name="route">
          {(fields, { add, remove }) => (
            <>
              {fields.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("settings.noRoutes")} />}
              {fields.map((f) => (
                <Card key={f.key} size="small" type="inner" style={{ marginBottom: 12 }}
                  extra={<Button size="small" danger onClick={() => remove(f.name)}>{t("common.remove")}</Button>}>
                  <Space wrap align="start">
                    <Form.Item name={[f.name, "domains"]} label={t("settings.routeDomains")} style={{ minWidth: 220 }}>
                      <Select mode="tags" open={false} tokenSeparators={[",", " "]} />
                    </Form.Item>
                    <Form.Item name={[f.name, "relay"]} label={t("settings.routeRelay")} style={{ minWidth: 220 }}>
                      <Select mode="tags" open={false} tokenSeparators={[",", " "]} />
                    </Form.Item>
                    <Form.Item name={[f.name, "tls"]} label={t("settings.routeTls")}>
                      <Select style={{ width: 130 }} options={["starttls", "implicit", "none"].map((v) => ({ value: v, label: v }))} />
                    </Form.Item>
                    <Form.Item name={[f.name, "username"]} label={t("settings.routeUsername")}><Input /></Form.Item>
                    <Form.Item name={[f.name, "password"]} label={t("settings.routePassword")}><Input.Password autoComplete="off" /></Form.Item>
                  </Space>
                </Card>
              ))}
              <Space>
                <Button onClick={() => add({ domains: ["*"], relay: [], tls: "starttls" })}>{t("settings.addRoute")}</Button>
                <Button type="primary" htmlType="submit" loading={busy}>{t("common.save")}</Button>
              </Space>
            </>
          )}
        </Form.List>
        {error && <Alert type="error" showIcon message={error} style={{ marginTop: 16 }} />}
      </Form>
    </Card>
  );
}

export default function Settings() {
  const { t } = useI18n();
  const loaded = useLoad(api.settings);
  // Without the schema (an older server) the fields still show, under their key names.
  const schema = useLoad(api.settingsSchema);
  const declared = useMemo(() => new Map((schema.data ?? []).map((s) => [s.path, s])), [schema.data]);
  const [last, setLast] = useState<SettingsResponse>();
  const current = last ?? loaded.data;
  const [version, setVersion] = useState(0);
  const [tab, setTab] = useState("general");
  const onSaved = (r: SettingsResponse) => {
    setLast(r);
    setVersion((v) => v + 1);
  };
  if (!current) {
    return loaded.error ? <Alert type="error" showIcon message={errorText(t, loaded.error)} /> : <Card loading />;
  }
  const s = current.settings as Record<string, Record<string, unknown>>;
  const pending = current.pending_restart ?? [];
  const section = (name: string) => (s[name] && typeof s[name] === "object" ? s[name] : {});
  const tabs = [
    {
      key: "general",
      label: t("settings.general"),
      children: (
        <>
          <SectionForm title={t("settings.general")} section="" values={s as Record<string, unknown>} keys={["hostname"]} onSaved={onSaved} />
          <SectionForm title={t("settings.listeners")} section="listen" values={section("listen")} help={t("settings.listenersHelp")} onSaved={onSaved} />
        </>
      ),
    },
    { key: "limits", label: t("settings.limits"), children: <SectionForm title={t("settings.limits")} section="limits" values={section("limits")} onSaved={onSaved} /> },
    {
      key: "delivery",
      label: t("settings.delivery"),
      children: (
        <>
          <RoutesForm routes={(s.route as unknown as Route[]) ?? []} onSaved={onSaved} />
          <SectionForm title={t("settings.queue")} section="queue" values={section("queue")} onSaved={onSaved} />
          <SectionForm title={t("settings.dns")} section="dns" values={section("dns")} onSaved={onSaved} />
          <SectionForm title={t("settings.relay")} section="relay" values={section("relay")} onSaved={onSaved} />
        </>
      ),
    },
    { key: "filter", label: t("settings.filter"), children: <SectionForm title={t("settings.filter")} section="filter" values={section("filter")} onSaved={onSaved} /> },
    { key: "certificate", label: t("settings.certificate"), children: <CertificateCard /> },
  ];
  return (
    <Schema.Provider value={declared}>
    <div data-testid="settings-page">
      <PageHeader title={t("settings.title")} />
      {pending.length > 0 ? (
        <Alert type="warning" showIcon data-testid="restart-notice" style={{ marginBottom: 16 }}
          message={t("settings.restartNeeded", { keys: pending.join(", ") })} />
      ) : current.restart_needed ? (
        <Alert type="warning" showIcon data-testid="restart-notice" style={{ marginBottom: 16 }} message={t("settings.restartNeededGeneric")} />
      ) : null}
      {last?.applied && last.applied.length > 0 && (
        <Alert type="success" showIcon style={{ marginBottom: 16 }} message={`${t("settings.appliedNow")}: ${last.applied.join(", ")}`} />
      )}
      <Tabs activeKey={tab} onChange={setTab} items={tabs.map((x) => ({ ...x, children: <div key={version}>{x.children}</div> }))} />
    </div>
    </Schema.Provider>
  );
}
