// What the lists of configured entries on the Internet connection page share (dynamic DNS
// records, collection jobs, ETRN backup servers): the card's refresh and add buttons, the
// "next run" cell, and each row's run-now, edit and remove buttons.
import type { ReactNode } from "react";
import { Button, Space } from "antd";
import { RemoveButton } from "../../components/RemoveButton";
import { formatRelative } from "../../format";
import { useAction } from "../../hooks";
import { useI18n } from "../../i18n";

/** The card's "Refresh" and "Add ..." buttons. */
export function RefreshAdd({ onRefresh, onAdd, addLabel, addTestId }: {
  onRefresh: () => void;
  onAdd: () => void;
  addLabel: string;
  addTestId: string;
}) {
  const { t } = useI18n();
  return (
    <Space>
      <Button size="small" onClick={onRefresh}>{t("common.refresh")}</Button>
      <Button size="small" type="primary" onClick={onAdd} data-testid={addTestId}>{addLabel}</Button>
    </Space>
  );
}

/** When an entry runs next ("in 5 minutes"), or a dash when it is not scheduled. */
export function NextRun({ at }: { at: number | null | undefined }) {
  const { lang } = useI18n();
  return <>{at ? formatRelative(at, Date.now() / 1000, lang) : "—"}</>;
}

/** A row's buttons: any of its own first (`children`), then "Edit" and "Remove". */
export function EditRemove({ onEdit, name, remove, after, children }: {
  onEdit: () => void;
  name: string;
  remove: () => Promise<unknown>;
  after: () => Promise<unknown> | void;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <Space wrap>
      {children}
      <Button size="small" onClick={onEdit}>{t("conn.edit")}</Button>
      <RemoveButton name={name} remove={remove} after={after} />
    </Space>
  );
}

/** "Fetch now" / "Run now": asks the server to run the entry, says `started`, then `after`. */
export function RunNow({ label, started, run, after, running, disabled, testId }: {
  label: string;
  started: string;
  run: () => Promise<unknown>;
  after: () => Promise<unknown>;
  running?: boolean;
  disabled?: boolean;
  testId: string;
}) {
  const action = useAction();
  return (
    <Button size="small" disabled={disabled} loading={running} data-testid={testId} onClick={async () => {
      await action(run, started);
      await after();
    }}>
      {label}
    </Button>
  );
}
