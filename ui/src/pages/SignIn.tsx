// Sign-in for the web admin: the admin token or the admin password from the wizard.
import { useState } from "react";
import { Alert, Button, Card, Form, Input, Tabs, Typography } from "antd";
import { api, toApiError } from "../api";
import { errorText } from "../hooks";
import { useI18n } from "../i18n";

export default function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useI18n();
  const [mode, setMode] = useState<"token" | "password">("token");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (values: { secret: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const secret = values.secret.trim();
      await api.signIn(mode === "token" ? { token: secret } : { password: values.secret });
      onSignedIn();
    } catch (e) {
      setError(toApiError(e).code === "unauthorized" ? t("signin.wrong") : errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t("signin.title")} style={{ maxWidth: 480, margin: "48px auto" }}>
      <Tabs
        activeKey={mode}
        onChange={(k) => setMode(k as "token" | "password")}
        items={[
          { key: "token", label: t("signin.tokenTab") },
          { key: "password", label: t("signin.passwordTab") },
        ]}
      />
      <Form layout="vertical" onFinish={submit} key={mode}>
        <Form.Item
          name="secret"
          label={mode === "token" ? t("signin.token") : t("signin.password")}
          rules={[{ required: true, message: t("common.required") }]}
        >
          <Input.Password autoFocus autoComplete={mode === "token" ? "off" : "current-password"} data-testid="signin-secret" />
        </Form.Item>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="signin-error" />}
        <Button type="primary" htmlType="submit" loading={busy} block>
          {t("signin.submit")}
        </Button>
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
        {t("signin.help")}
      </Typography.Paragraph>
    </Card>
  );
}
