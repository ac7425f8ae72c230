// A byte count entered as an amount and a unit (bytes, KB, MB, GB: binary multiples, as the
// server counts). The form holds bytes, so what is saved, and what the server validates and
// names in an error, is still the plain integer the config file takes.
import { useEffect, useState } from "react";
import { InputNumber, Select, Space } from "antd";
import { joinBytes, SIZE_UNITS, splitBytes, type SizeUnit } from "../format";
import { useI18n } from "../i18n";

interface Shown {
  amount: number | null;
  unit: SizeUnit;
}

/** A value in the largest unit that divides it exactly; an empty field offers MB. */
function shownOf(bytes: number | null | undefined): Shown {
  return bytes === null || bytes === undefined ? { amount: null, unit: "MB" } : splitBytes(bytes);
}

/** For a `Form.Item`: `value` and `onChange` are in bytes. Changing the unit keeps the amount
 * typed ("25", then MB, is 25 MB). */
export function ByteSizeInput({ value, onChange, testId }: {
  value?: number | null;
  onChange?: (bytes: number | null) => void;
  testId?: string;
}) {
  const { t } = useI18n();
  const [shown, setShown] = useState<Shown>(() => shownOf(value));
  // A value set from outside (a reset, a reload) is shown afresh in its own unit.
  useEffect(() => {
    setShown((s) => (joinBytes(s.amount, s.unit) === (value ?? null) ? s : shownOf(value)));
  }, [value]);
  const change = (next: Shown) => {
    setShown(next);
    onChange?.(joinBytes(next.amount, next.unit));
  };
  return (
    <Space.Compact>
      <InputNumber
        min={0}
        style={{ width: 160 }}
        value={shown.amount}
        onChange={(amount) => change({ amount: typeof amount === "number" ? amount : null, unit: shown.unit })}
        data-testid={testId}
      />
      <Select<SizeUnit>
        aria-label={t("settings.sizeUnit")}
        style={{ width: 100 }}
        value={shown.unit}
        onChange={(unit) => change({ amount: shown.amount, unit })}
        options={SIZE_UNITS.map((u) => ({ value: u, label: u === "B" ? t("settings.unitBytes") : u }))}
        data-testid={testId && `${testId}-unit`}
      />
    </Space.Compact>
  );
}
