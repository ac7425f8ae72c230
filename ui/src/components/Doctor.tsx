// The connectivity doctor: "Run checks" (POST /api/doctor), each check with its status and
// the summary and fix in the current language; for a blocked port 25, the smart-host form.
import { useState } from "react";
import { Alert, App, Button, Card, Form, Input, InputNumber, List, Select, Tag, Typography } from "antd";
import { api } from "../api";
import { errorText } from "../hooks";
import { useI18n, type Key } from "../i18n";
import type { DoctorCheck, SmartHost } from "../types";
import { FormModal } from "./FormModal";

export const STATUS_COLORS: Record<DoctorCheck["status"], string> = {
  ok: "green",
  warning: "orange",
  problem: "red",
  skipped: "default",
};

/** A check's texts in `lang`, else English. */
export function checkTexts(c: DoctorCheck, lang: string): { summary: string; fix: string | null } {
  return c.texts[lang] ?? c.texts.en ?? { summary: c.id, fix: null };
}

/** The title of a check: its id, with the domain for the per-domain `mx` checks. */
function checkTitle(c: DoctorCheck, t: (k: Key) => string): string {
  const name = t(`doctor.check.${c.id}` as Key);
  return c.details.domain ? `${name}: ${c.details.domain}` : name;
}

export function SmartHostForm({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  return (
    <FormModal<SmartHost>
      title={t("doctor.smartHost")}
      open={open}
      onClose={onClose}
      testId="smart-host-modal"
      initialValues={{ host: "", port: 587, tls: "starttls", username: "", password: "" }}
      onSubmit={async (v) => {
        await api.doctorSmartHost(v);
        void message.success(t("doctor.smartHostSaved"));
        onDone();
      }}
    >
      <Typography.Paragraph type="secondary">{t("doctor.smartHostHelp")}</Typography.Paragraph>
      <Form.Item name="host" label={t("conn.host")} rules={[{ required: true, message: t("common.required") }]}>
        <Input placeholder="smtp.isp.example" data-testid="smart-host" />
      </Form.Item>
      <Form.Item name="port" label={t("conn.port")}>
        <InputNumber min={1} max={65535} data-testid="smart-port" />
      </Form.Item>
      <Form.Item name="tls" label={t("settings.routeTls")}>
        <Select options={["starttls", "implicit", "none"].map((v) => ({ value: v, label: t(`conn.tls.${v}` as Key) }))} />
      </Form.Item>
      <Form.Item name="username" label={t("settings.routeUsername")}>
        <Input autoComplete="off" data-testid="smart-username" />
      </Form.Item>
      <Form.Item name="password" label={t("settings.routePassword")}>
        <Input.Password autoComplete="new-password" data-testid="smart-password" />
      </Form.Item>
    </FormModal>
  );
}

export function Doctor() {
  const { t, lang } = useI18n();
  const [checks, setChecks] = useState<DoctorCheck[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [smartHost, setSmartHost] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setChecks(await api.doctor());
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t("doctor.title")} size="small" style={{ marginTop: 16 }} data-testid="doctor-card"
      extra={<Button type="primary" size="small" loading={busy} onClick={() => void run()} data-testid="doctor-run">{t("doctor.run")}</Button>}>
      <Typography.Paragraph type="secondary">{t("doctor.help")}</Typography.Paragraph>
      {error && <Alert type="error" showIcon message={error} />}
      {checks && (
        <List<DoctorCheck>
          size="small"
          dataSource={checks}
          data-testid="doctor-results"
          renderItem={(c) => {
            const text = checkTexts(c, lang);
            return (
              <List.Item data-testid={`doctor-${c.id}`}
                actions={c.id === "port25" && c.status !== "ok" && c.status !== "skipped"
                  ? [<Button key="s" size="small" onClick={() => setSmartHost(true)} data-testid="smart-host-open">{t("doctor.smartHost")}</Button>]
                  : undefined}>
                <List.Item.Meta
                  avatar={<Tag color={STATUS_COLORS[c.status]}>{t(`doctor.status.${c.status}` as Key)}</Tag>}
                  title={checkTitle(c, t)}
                  description={
                    <>
                      <div>{text.summary}</div>
                      {text.fix && <Typography.Text type="secondary">{t("doctor.fix")}: {text.fix}</Typography.Text>}
                    </>
                  }
                />
              </List.Item>
            );
          }}
        />
      )}
      <SmartHostForm open={smartHost} onClose={() => setSmartHost(false)} onDone={() => void run()} />
    </Card>
  );
}
