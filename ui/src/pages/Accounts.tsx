// Accounts: add, disable/enable, change the password, set the quota; usage against the quota.
import { useState } from "react";
import { Alert, Button, Empty, Form, Input, InputNumber, Progress, Space, Table, Tag, Typography } from "antd";
import { api } from "../api";
import { FormModal } from "../components/FormModal";
import { PageHeader } from "../components/PageHeader";
import { RemoveButton } from "../components/RemoveButton";
import { formatBytes, quotaPercent } from "../format";
import { errorText, useAction, useLoad } from "../hooks";
import { useI18n } from "../i18n";
import type { Account } from "../types";

const MB = 1024 * 1024;

export function Usage({ account }: { account: Account }) {
  const { t } = useI18n();
  const used = account.used_bytes ?? 0;
  const pct = quotaPercent(used, account.quota_bytes);
  const text = `${formatBytes(used)} / ${account.quota_bytes ? formatBytes(account.quota_bytes) : t("common.unlimited")}`;
  return (
    <div style={{ minWidth: 160 }}>
      {pct !== null && <Progress percent={pct} size="small" status={pct >= 90 ? "exception" : "normal"} showInfo={false} />}
      <Typography.Text type="secondary">{text}</Typography.Text>
    </div>
  );
}

export default function Accounts() {
  const { t } = useI18n();
  const accounts = useLoad(api.accounts);
  const domains = useLoad(api.domains);
  const action = useAction();
  const [adding, setAdding] = useState(false);
  const [password, setPassword] = useState<string>();
  const [quota, setQuota] = useState<Account>();
  const noDomain = domains.data !== undefined && domains.data.length === 0;
  const required = [{ required: true, message: t("common.required") }];

  return (
    <div data-testid="accounts-page">
      <PageHeader
        title={t("accounts.title")}
        extra={<Button type="primary" disabled={noDomain} onClick={() => setAdding(true)} data-testid="add-account">{t("accounts.add")}</Button>}
      />
      {noDomain && <Alert type="info" showIcon message={t("accounts.needDomain")} action={<a href="#/domains">{t("domains.add")}</a>} style={{ marginBottom: 16 }} />}
      {accounts.error && <Alert type="error" showIcon message={errorText(t, accounts.error)} style={{ marginBottom: 16 }} />}
      <Table<Account>
        rowKey="address"
        loading={accounts.loading}
        dataSource={accounts.data}
        pagination={{ hideOnSinglePage: true, pageSize: 50 }}
        locale={{ emptyText: <Empty description={t("accounts.empty")} /> }}
        columns={[
          { title: t("accounts.address"), dataIndex: "address" },
          {
            title: t("accounts.state"),
            render: (_, a) => (a.disabled ? <Tag color="default">{t("accounts.disabled")}</Tag> : <Tag color="green">{t("accounts.enabled")}</Tag>),
          },
          { title: t("accounts.usage"), render: (_, a) => <Usage account={a} /> },
          {
            title: t("common.actions"),
            render: (_, a) => (
              <Space wrap>
                <Button size="small" onClick={async () => {
                  await action(() => api.changeAccount(a.address, { disabled: !a.disabled }), t("common.saved"));
                  await accounts.reload();
                }}>
                  {a.disabled ? t("accounts.enable") : t("accounts.disable")}
                </Button>
                <Button size="small" onClick={() => setPassword(a.address)}>{t("accounts.setPassword")}</Button>
                <Button size="small" onClick={() => setQuota(a)}>{t("accounts.quota")}</Button>
                <RemoveButton name={a.address} remove={() => api.removeAccount(a.address)} after={accounts.reload} />
              </Space>
            ),
          },
        ]}
      />
      <FormModal<{ address: string; password: string }>
        title={t("accounts.add")}
        open={adding}
        onClose={() => setAdding(false)}
        okText={t("common.add")}
        testId="add-account-modal"
        onSubmit={async (v) => {
          await api.addAccount({ address: v.address.trim(), password: v.password });
          await accounts.reload();
        }}
      >
        <Form.Item name="address" label={t("accounts.address")} rules={required}>
          <Input placeholder={`name@${domains.data?.[0]?.name ?? "example.com"}`} autoFocus data-testid="account-address" />
        </Form.Item>
        <Form.Item name="password" label={t("accounts.password")} rules={required}>
          <Input.Password autoComplete="new-password" data-testid="account-password" />
        </Form.Item>
      </FormModal>
      <FormModal<{ password: string }>
        title={`${t("accounts.newPassword")}: ${password ?? ""}`}
        open={password !== undefined}
        onClose={() => setPassword(undefined)}
        onSubmit={async (v) => {
          await api.changeAccount(password!, { password: v.password });
          await action(async () => undefined, t("accounts.passwordChanged"));
        }}
      >
        <Form.Item name="password" label={t("accounts.newPassword")} rules={required}>
          <Input.Password autoComplete="new-password" autoFocus />
        </Form.Item>
      </FormModal>
      <FormModal<{ quota_mb?: number | null }>
        title={`${t("accounts.quota")}: ${quota?.address ?? ""}`}
        open={quota !== undefined}
        onClose={() => setQuota(undefined)}
        initialValues={{ quota_mb: quota?.quota_bytes ? Math.round(quota.quota_bytes / MB) : null }}
        testId="quota-modal"
        onSubmit={async (v) => {
          const bytes = v.quota_mb ? Math.round(v.quota_mb * MB) : null;
          await api.changeAccount(quota!.address, { quota_bytes: bytes });
          await action(async () => undefined, t("accounts.quotaSaved"));
          await accounts.reload();
        }}
      >
        <Form.Item name="quota_mb" label={t("accounts.quotaMb")}>
          <InputNumber min={1} style={{ width: "100%" }} autoFocus placeholder={t("common.unlimited")} />
        </Form.Item>
      </FormModal>
    </div>
  );
}
