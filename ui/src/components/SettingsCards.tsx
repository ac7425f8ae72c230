// The certificate (view and import) and the desktop app's own settings.
import { useState } from "react";
import { Alert, Button, Card, Descriptions, Form, Input, Upload } from "antd";
import { api } from "../api";
import { FormModal } from "./FormModal";
import { formatTime } from "../format";
import { errorText, useAction, useLoad } from "../hooks";
import { useI18n } from "../i18n";

function PemField({ name, label }: { name: string; label: string }) {
  const { t } = useI18n();
  return (
    <Form.Item label={label} required>
      <Form.Item noStyle name={name} rules={[{ required: true, message: t("common.required") }]}>
        <Input.TextArea rows={5} style={{ fontFamily: "monospace" }} />
      </Form.Item>
      <Form.Item noStyle shouldUpdate>
        {(form) => (
          <Upload accept=".pem,.crt,.key,.cer" showUploadList={false}
            beforeUpload={(file) => { void file.text().then((text) => form.setFieldValue(name, text)); return false; }}>
            <Button size="small" style={{ marginTop: 4 }}>{t("settings.readFile")}</Button>
          </Upload>
        )}
      </Form.Item>
    </Form.Item>
  );
}

export function CertificateCard() {
  const { t, lang } = useI18n();
  const cert = useLoad(api.certificate);
  const action = useAction();
  const [importing, setImporting] = useState(false);
  const c = cert.data;
  return (
    <Card title={t("settings.certificate")} size="small" style={{ marginBottom: 16 }} data-testid="settings-certificate"
      extra={<Button size="small" onClick={() => setImporting(true)}>{t("settings.certImport")}</Button>}>
      {cert.error && <Alert type="info" showIcon message={t("settings.unavailable", { reason: errorText(t, cert.error) })} />}
      {c && (
        <>
          {c.self_signed && <Alert type="warning" showIcon message={t("settings.certSelfSigned")} style={{ marginBottom: 12 }} />}
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t("settings.certSubject")}>{c.subject}</Descriptions.Item>
            <Descriptions.Item label={t("settings.certIssuer")}>{c.issuer}</Descriptions.Item>
            <Descriptions.Item label={t("settings.certNames")}>{c.names.join(", ")}</Descriptions.Item>
            <Descriptions.Item label={t("settings.certExpires")}>{formatTime(c.not_after, lang)}</Descriptions.Item>
          </Descriptions>
        </>
      )}
      <FormModal<{ cert_pem: string; key_pem: string }>
        title={t("settings.certImport")}
        open={importing}
        onClose={() => setImporting(false)}
        onSubmit={async (v) => {
          await api.importCertificate(v.cert_pem, v.key_pem);
          await action(async () => undefined, t("settings.certImported"));
          await cert.reload();
        }}
      >
        <PemField name="cert_pem" label={t("settings.certPem")} />
        <PemField name="key_pem" label={t("settings.keyPem")} />
      </FormModal>
    </Card>
  );
}
