import { Button, Popconfirm } from "antd";
import { useAction } from "../hooks";
import { useI18n } from "../i18n";

/** A small "Remove" button that asks first, removes `name`, says so, then calls `after`. */
export function RemoveButton({ name, remove, after, label }: {
  name: string;
  remove: () => Promise<unknown>;
  after: () => Promise<unknown> | void;
  label?: string;
}) {
  const { t } = useI18n();
  const action = useAction();
  return (
    <Popconfirm
      title={t("common.confirmRemove", { name })}
      okText={t("common.yes")}
      cancelText={t("common.no")}
      onConfirm={async () => {
        await action(remove, t("common.removed", { name }));
        await after();
      }}
    >
      <Button size="small" danger>{label ?? t("common.remove")}</Button>
    </Popconfirm>
  );
}
