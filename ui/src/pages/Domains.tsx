// Domains: add (with a DKIM key) and remove; the DNS records to publish, with copy buttons.
import { useState } from "react";
import { Alert, Button, Drawer, Empty, Form, Input, Select, Space, Table, Typography } from "antd";
import { api } from "../api";
import { FormModal } from "../components/FormModal";
import { PageHeader } from "../components/PageHeader";
import { RemoveButton } from "../components/RemoveButton";
import { errorText, useLoad } from "../hooks";
import { useI18n, type Key } from "../i18n";
import type { DkimKind, DnsRecord, Domain } from "../types";

/** What a record is for, in the UI's language. */
export function recordPurpose(r: DnsRecord): Key | undefined {
  if (r.kind === "MX") return "domains.purposeMx";
  if (r.kind === "A" || r.kind === "AAAA") return "domains.purposeA";
  if (r.name.startsWith("_dmarc.")) return "domains.purposeDmarc";
  if (r.name.includes("._domainkey.")) return r.value.startsWith("<") ? "domains.purposeNoDkim" : "domains.purposeDkim";
  if (r.value.includes("v=spf1")) return "domains.purposeSpf";
  return undefined;
}

function DnsDrawer({ name, onClose }: { name: string; onClose: () => void }) {
  const { t } = useI18n();
  const records = useLoad(() => api.domainDns(name), [name]);
  return (
    <Drawer open width={820} title={t("domains.dnsFor", { name })} onClose={onClose} rootClassName="dns-drawer">
      <Typography.Paragraph>{t("domains.dnsHelp")}</Typography.Paragraph>
      {records.error && <Alert type="error" showIcon message={errorText(t, records.error)} />}
      <Table<DnsRecord>
        size="small"
        loading={records.loading}
        pagination={false}
        rowKey={(r) => `${r.name} ${r.kind} ${r.value}`}
        dataSource={records.data}
        columns={[
          {
            title: t("domains.recordName"),
            dataIndex: "name",
            render: (v: string, r) => {
              const purpose = recordPurpose(r);
              return (
                <>
                  <Typography.Text copyable={{ tooltips: [t("common.copy"), t("common.copied")] }}>{v}</Typography.Text>
                  <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{purpose ? t(purpose) : r.note}</Typography.Text></div>
                </>
              );
            },
          },
          { title: t("domains.recordType"), dataIndex: "kind", width: 70 },
          {
            title: t("domains.recordValue"),
            dataIndex: "value",
            render: (v: string) => (
              <Typography.Text code copyable={{ tooltips: [t("common.copy"), t("common.copied")] }} style={{ wordBreak: "break-all" }}>
                {v}
              </Typography.Text>
            ),
          },
        ]}
      />
    </Drawer>
  );
}

export default function Domains() {
  const { t } = useI18n();
  const domains = useLoad(api.domains);
  const [adding, setAdding] = useState(false);
  const [dns, setDns] = useState<string>();

  return (
    <div data-testid="domains-page">
      <PageHeader
        title={t("domains.title")}
        extra={<Button type="primary" onClick={() => setAdding(true)} data-testid="add-domain">{t("domains.add")}</Button>}
      />
      {domains.error && <Alert type="error" showIcon message={errorText(t, domains.error)} style={{ marginBottom: 16 }} />}
      <Table<Domain>
        rowKey="name"
        loading={domains.loading}
        dataSource={domains.data}
        pagination={false}
        locale={{ emptyText: <Empty description={t("domains.empty")} /> }}
        columns={[
          { title: t("domains.name"), dataIndex: "name" },
          {
            title: t("common.actions"),
            width: 260,
            render: (_, d) => (
              <Space>
                <Button size="small" onClick={() => setDns(d.name)}>{t("domains.dns")}</Button>
                <RemoveButton name={d.name} remove={() => api.removeDomain(d.name)} after={domains.reload} />
              </Space>
            ),
          },
        ]}
      />
      <FormModal<{ name: string; dkim: DkimKind }>
        title={t("domains.add")}
        open={adding}
        onClose={() => setAdding(false)}
        initialValues={{ dkim: "rsa" }}
        progress={t("domains.adding")}
        okText={t("common.add")}
        testId="add-domain-modal"
        onSubmit={async (v) => {
          const d = await api.addDomain({ name: v.name.trim(), dkim: v.dkim });
          await domains.reload();
          setDns(d.name);
        }}
      >
        <Form.Item name="name" label={t("domains.name")} rules={[{ required: true, message: t("common.required") }]}>
          <Input placeholder="example.com" autoFocus data-testid="domain-name" />
        </Form.Item>
        <Form.Item name="dkim" label={t("domains.dkim")}>
          <Select
            options={[
              { value: "rsa", label: t("domains.dkimRsa") },
              { value: "ed25519", label: t("domains.dkimEd25519") },
              { value: "none", label: t("domains.dkimNone") },
            ]}
          />
        </Form.Item>
      </FormModal>
      {dns && <DnsDrawer name={dns} onClose={() => setDns(undefined)} />}
    </div>
  );
}
