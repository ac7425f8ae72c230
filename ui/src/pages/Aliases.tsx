// Aliases, distribution lists, forwards and catch-alls.
import { useState } from "react";
import { Alert, Button, Empty, Form, Input, Select, Space, Table, Tag, Typography } from "antd";
import { api } from "../api";
import { FormModal } from "../components/FormModal";
import { PageHeader } from "../components/PageHeader";
import { RemoveButton } from "../components/RemoveButton";
import { errorText, useLoad } from "../hooks";
import { useI18n } from "../i18n";
import type { Alias } from "../types";

export default function Aliases() {
  const { t } = useI18n();
  const aliases = useLoad(api.aliases);
  const accounts = useLoad(api.accounts);
  const [adding, setAdding] = useState(false);
  const required = [{ required: true, message: t("common.required") }];

  return (
    <div data-testid="aliases-page">
      <PageHeader title={t("aliases.title")} extra={<Button type="primary" onClick={() => setAdding(true)}>{t("aliases.add")}</Button>} />
      <Typography.Paragraph type="secondary">{t("aliases.help")}</Typography.Paragraph>
      {aliases.error && <Alert type="error" showIcon message={errorText(t, aliases.error)} style={{ marginBottom: 16 }} />}
      <Table<Alias>
        rowKey="address"
        loading={aliases.loading}
        dataSource={aliases.data}
        pagination={{ hideOnSinglePage: true, pageSize: 50 }}
        locale={{ emptyText: <Empty description={t("aliases.empty")} /> }}
        columns={[
          { title: t("aliases.address"), dataIndex: "address" },
          { title: t("aliases.targets"), render: (_, a) => <Space wrap size={4}>{a.targets.map((x) => <Tag key={x}>{x}</Tag>)}</Space> },
          {
            title: t("common.actions"),
            width: 120,
            render: (_, a) => (
              <RemoveButton name={a.address} remove={() => api.removeAlias(a.address)} after={aliases.reload} />
            ),
          },
        ]}
      />
      <FormModal<Alias>
        title={t("aliases.add")}
        open={adding}
        onClose={() => setAdding(false)}
        okText={t("common.add")}
        onSubmit={async (v) => {
          await api.addAlias({ address: v.address.trim(), targets: v.targets.map((x) => x.trim()).filter(Boolean) });
          await aliases.reload();
        }}
      >
        <Form.Item name="address" label={t("aliases.address")} rules={required}>
          <Input placeholder="info@example.com" autoFocus />
        </Form.Item>
        <Form.Item name="targets" label={t("aliases.targets")} extra={t("aliases.targetsHelp")} rules={required}>
          <Select mode="tags" tokenSeparators={[",", " "]} options={(accounts.data ?? []).map((a) => ({ value: a.address }))} />
        </Form.Item>
      </FormModal>
    </div>
  );
}
