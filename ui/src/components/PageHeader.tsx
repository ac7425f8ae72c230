import type { ReactNode } from "react";
import { Space, Typography } from "antd";

/** A page title with its buttons on the right. */
export function PageHeader({ title, extra }: { title: string; extra?: ReactNode }) {
  return (
    <div style={{ display: "flex", alignItems: "center", marginBottom: 16, gap: 16, flexWrap: "wrap" }}>
      <Typography.Title level={3} style={{ margin: 0, flex: 1 }}>{title}</Typography.Title>
      <Space wrap>{extra}</Space>
    </div>
  );
}
