// A modal with a form whose submit shows progress, and server field errors next to the field.
import { useState, type ReactNode } from "react";
import { Alert, Form, Modal, type FormInstance } from "antd";
import { toApiError } from "../api";
import { errorText } from "../hooks";
import { useI18n } from "../i18n";
import { fieldPath, hasPath } from "../format";

export function FormModal<V extends object>({
  title,
  open,
  onClose,
  onSubmit,
  children,
  initialValues,
  progress,
  okText,
  testId,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  onSubmit: (values: V) => Promise<unknown>;
  children: ReactNode | ((form: FormInstance<V>) => ReactNode);
  initialValues?: Partial<V>;
  progress?: string;
  okText?: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<V>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(values);
      form.resetFields();
      onClose();
    } catch (e) {
      const err = toApiError(e);
      const name = err.field ? fieldPath(err.field) : undefined;
      if (name && hasPath(form.getFieldsValue(true), name)) {
        form.setFields([{ name: name as never, errors: [errorText(t, err)] }]);
      } else {
        setError(errorText(t, err));
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title={title}
      open={open}
      onCancel={onClose}
      onOk={() => void submit().catch(() => undefined)}
      confirmLoading={busy}
      okText={okText ?? t("common.save")}
      cancelText={t("common.cancel")}
      destroyOnHidden
      rootClassName={testId}
    >
      <Form form={form} layout="vertical" initialValues={initialValues} disabled={busy} preserve={false}
        onFinish={() => void submit().catch(() => undefined)}>
        {typeof children === "function" ? children(form) : children}
        {/* Enter submits. */}
        <button type="submit" hidden />
      </Form>
      {busy && progress && <Alert type="info" showIcon message={progress} />}
      {error && <Alert type="error" showIcon message={error} data-testid="form-error" />}
    </Modal>
  );
}
