// The first-run wizard: server name, first domain, first account, admin password, certificate.
import { useState } from "react";
import { Alert, Button, Card, Form, Input, Radio, Result, Space, Steps, Typography } from "antd";
import { api, toApiError } from "../api";
import { errorText } from "../hooks";
import { useI18n, type Key } from "../i18n";
import type { SetupRequest } from "../types";

interface Values {
  hostname: string;
  domain: string;
  address: string;
  password: string;
  admin_password?: string;
  cert: "self_signed" | "import";
  cert_pem?: string;
  key_pem?: string;
}

/** Which step holds each form field, and the server's name for it. */
const STEP_FIELDS: { title: Key; fields: [keyof Values, string][] }[] = [
  { title: "wizard.stepServer", fields: [["hostname", "hostname"]] },
  { title: "wizard.stepDomain", fields: [["domain", "domain"]] },
  { title: "wizard.stepAccount", fields: [["address", "account.address"], ["password", "account.password"]] },
  { title: "wizard.stepAdmin", fields: [["admin_password", "admin_password"]] },
  { title: "wizard.stepCertificate", fields: [["cert_pem", "certificate.cert_pem"], ["key_pem", "certificate.key_pem"]] },
];

/** The request the server expects, from the form's values. */
export function setupRequest(v: Values): SetupRequest {
  return {
    hostname: v.hostname.trim(),
    domain: v.domain.trim(),
    account: { address: v.address.trim(), password: v.password },
    ...(v.admin_password ? { admin_password: v.admin_password } : {}),
    certificate:
      v.cert === "import"
        ? { kind: "import", cert_pem: v.cert_pem ?? "", key_pem: v.key_pem ?? "" }
        : { kind: "self_signed" },
  };
}

export default function Wizard({ hostname, onDone }: { hostname: string; onDone: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const [step, setStep] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const cert = Form.useWatch("cert", form);
  const domain = Form.useWatch("domain", form);
  const required = [{ required: true, message: t("common.required") }];

  const next = async () => {
    await form.validateFields(STEP_FIELDS[step].fields.map(([f]) => f));
    if (step === 1 && !form.getFieldValue("address")) {
      form.setFieldValue("address", `office@${form.getFieldValue("domain")}`);
    }
    setStep(step + 1);
  };

  const finish = async () => {
    await form.validateFields();
    setBusy(true);
    setError(undefined);
    try {
      await api.setup(setupRequest(form.getFieldsValue(true)));
      setDone(true);
    } catch (e) {
      const err = toApiError(e);
      const at = STEP_FIELDS.findIndex((s) => s.fields.some(([, name]) => name === err.field));
      if (at >= 0) {
        const formField = STEP_FIELDS[at].fields.find(([, name]) => name === err.field)![0];
        setStep(at);
        // Set the error once the step's fields are shown.
        setTimeout(() => form.setFields([{ name: formField, errors: [errorText(t, err)] }]));
      } else {
        setError(errorText(t, e));
      }
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <div data-testid="wizard-done">
        <Result status="success" title={t("wizard.done")}
          extra={<Button type="primary" onClick={onDone}>{t("nav.dashboard")}</Button>} />
      </div>
    );
  }

  const show = (i: number) => ({ display: step === i ? undefined : "none" });
  return (
    <Card title={t("wizard.title")} style={{ maxWidth: 720, margin: "24px auto" }} data-testid="wizard">
      <Typography.Paragraph>{t("wizard.intro")}</Typography.Paragraph>
      <Steps size="small" current={step} items={STEP_FIELDS.map((s) => ({ title: t(s.title) }))} style={{ marginBottom: 24 }} />
      <Form form={form} layout="vertical" initialValues={{ hostname, cert: "self_signed" }} disabled={busy}>
        <div style={show(0)}>
          <Form.Item name="hostname" label={t("wizard.hostname")} extra={t("wizard.hostnameHelp")} rules={required}>
            <Input data-testid="wizard-hostname" />
          </Form.Item>
        </div>
        <div style={show(1)}>
          <Form.Item name="domain" label={t("wizard.domain")} extra={t("wizard.domainHelp")} rules={required}>
            <Input placeholder="example.com" data-testid="wizard-domain" />
          </Form.Item>
        </div>
        <div style={show(2)}>
          <Form.Item name="address" label={t("wizard.address")} extra={t("wizard.addressHelp")} rules={required}>
            <Input placeholder={`office@${domain || "example.com"}`} data-testid="wizard-address" />
          </Form.Item>
          <Form.Item name="password" label={t("wizard.password")} rules={required}>
            <Input.Password autoComplete="new-password" data-testid="wizard-password" />
          </Form.Item>
        </div>
        <div style={show(3)}>
          <Form.Item name="admin_password" label={t("wizard.adminPassword")} extra={t("wizard.adminPasswordHelp")}>
            <Input.Password autoComplete="new-password" data-testid="wizard-admin-password" />
          </Form.Item>
        </div>
        <div style={show(4)}>
          <Form.Item name="cert">
            <Radio.Group>
              <Space direction="vertical">
                <Radio value="self_signed">{t("wizard.certSelf")}</Radio>
                <Radio value="import">{t("wizard.certImport")}</Radio>
              </Space>
            </Radio.Group>
          </Form.Item>
          {cert === "import" && (
            <>
              <Form.Item name="cert_pem" label={t("wizard.certPem")} rules={required}>
                <Input.TextArea rows={4} placeholder="-----BEGIN CERTIFICATE-----" />
              </Form.Item>
              <Form.Item name="key_pem" label={t("wizard.keyPem")} rules={required}>
                <Input.TextArea rows={4} placeholder="-----BEGIN PRIVATE KEY-----" />
              </Form.Item>
            </>
          )}
        </div>
        {busy && <Alert type="info" showIcon message={t("wizard.working")} style={{ marginBottom: 16 }} />}
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="wizard-error" />}
        <Space>
          {step > 0 && <Button onClick={() => setStep(step - 1)}>{t("common.back")}</Button>}
          {step < STEP_FIELDS.length - 1 ? (
            <Button type="primary" onClick={() => void next().catch(() => undefined)} data-testid="wizard-next">
              {t("common.next")}
            </Button>
          ) : (
            <Button type="primary" loading={busy} onClick={() => void finish().catch(() => undefined)} data-testid="wizard-finish">
              {t("wizard.finish")}
            </Button>
          )}
        </Space>
      </Form>
    </Card>
  );
}
