// Spam & security: the allow and block lists per account or domain, and what each Bayesian
// classifier has learned from moves into and out of Junk. The checks' switches and scores are
// the [filter] settings (Settings, "Spam & security").
import { useState } from "react";
import { Alert, Button, Card, Empty, Form, Input, Select, Table, Tag, Typography } from "antd";
import { api } from "../api";
import { FormModal } from "../components/FormModal";
import { PageHeader } from "../components/PageHeader";
import { RemoveButton } from "../components/RemoveButton";
import { errorText, useLoad } from "../hooks";
import { useI18n } from "../i18n";
import type { Classifier, SenderListEntry } from "../types";

export default function Security() {
  const { t } = useI18n();
  const lists = useLoad(api.senderLists);
  const classifiers = useLoad(api.classifiers);
  const accounts = useLoad(api.accounts);
  const domains = useLoad(api.domains);
  const [adding, setAdding] = useState(false);
  const required = [{ required: true, message: t("common.required") }];
  const owners = [...(domains.data ?? []).map((d) => d.name), ...(accounts.data ?? []).map((a) => a.address)];

  return (
    <div data-testid="security-page">
      <PageHeader title={t("security.title")} />
      <Typography.Paragraph type="secondary">{t("security.help")}</Typography.Paragraph>
      <Card
        size="small"
        title={t("security.lists")}
        style={{ marginBottom: 16 }}
        extra={<Button type="primary" data-testid="add-sender" onClick={() => setAdding(true)}>{t("security.add")}</Button>}
      >
        <Typography.Paragraph type="secondary">{t("security.listsHelp")}</Typography.Paragraph>
        {lists.error && <Alert type="error" showIcon message={errorText(t, lists.error)} style={{ marginBottom: 16 }} />}
        <Table<SenderListEntry>
          rowKey={(e) => `${e.owner} ${e.pattern}`}
          loading={lists.loading}
          dataSource={lists.data}
          pagination={{ hideOnSinglePage: true, pageSize: 50 }}
          locale={{ emptyText: <Empty description={t("security.emptyLists")} /> }}
          columns={[
            { title: t("security.sender"), dataIndex: "pattern" },
            {
              title: t("security.action"),
              render: (_, e) =>
                e.action === "allow" ? <Tag color="green">{t("security.allow")}</Tag> : <Tag color="red">{t("security.block")}</Tag>,
            },
            { title: t("security.owner"), dataIndex: "owner" },
            {
              title: t("common.actions"),
              width: 120,
              render: (_, e) => (
                <RemoveButton name={e.pattern} remove={() => api.removeSenderList(e.owner, e.pattern)} after={lists.reload} />
              ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={t("security.classifiers")}>
        <Typography.Paragraph type="secondary">{t("security.classifiersHelp")}</Typography.Paragraph>
        {classifiers.error && <Alert type="error" showIcon message={errorText(t, classifiers.error)} style={{ marginBottom: 16 }} />}
        <Table<Classifier>
          rowKey={(c) => `${c.kind} ${c.owner}`}
          loading={classifiers.loading}
          dataSource={classifiers.data}
          pagination={{ hideOnSinglePage: true, pageSize: 50 }}
          locale={{ emptyText: <Empty description={t("security.emptyClassifiers")} /> }}
          columns={[
            { title: t("security.owner"), dataIndex: "owner" },
            { title: t("security.kind"), render: (_, c) => t(c.kind === "account" ? "security.kindAccount" : "security.kindDomain") },
            { title: t("security.spam"), dataIndex: "spam" },
            { title: t("security.ham"), dataIndex: "ham" },
            { title: t("security.tokens"), dataIndex: "tokens" },
          ]}
        />
      </Card>
      <FormModal<SenderListEntry>
        title={t("security.add")}
        open={adding}
        onClose={() => setAdding(false)}
        okText={t("common.add")}
        testId="add-sender-modal"
        initialValues={{ action: "block" }}
        onSubmit={async (v) => {
          await api.setSenderList({ owner: v.owner.trim(), pattern: v.pattern.trim(), action: v.action });
          await lists.reload();
        }}
      >
        <Form.Item name="pattern" label={t("security.sender")} rules={required}>
          <Input placeholder="news@shop.example / shop.example" data-testid="sender-pattern" autoFocus />
        </Form.Item>
        <Form.Item name="action" label={t("security.action")} rules={required}>
          <Select
            data-testid="sender-action"
            options={[
              { value: "block", label: t("security.block") },
              { value: "allow", label: t("security.allow") },
            ]}
          />
        </Form.Item>
        <Form.Item name="owner" label={t("security.owner")} extra={t("security.ownerHelp")} rules={required}>
          <Select data-testid="sender-owner" showSearch options={owners.map((o) => ({ value: o, label: o }))} />
        </Form.Item>
      </FormModal>
    </div>
  );
}
