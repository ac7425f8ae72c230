// A light SVG bar chart of the last 24 hours: received and delivered per hour.
import type { HourCounters } from "../types";
import { useI18n } from "../i18n";

const W = 720;
const H = 180;
const PAD = { left: 36, right: 8, top: 10, bottom: 24 };

/** The chart's scale: a round maximum at or above the largest value. */
export function niceMax(values: number[]): number {
  const max = Math.max(1, ...values);
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * pow >= max) return step * pow;
  return 10 * pow;
}

export function TrafficChart({ history }: { history: HourCounters[] }) {
  const { t } = useI18n();
  const series = [
    { key: "received" as const, color: "#1677ff", label: t("dash.received") },
    { key: "delivered" as const, color: "#52c41a", label: t("dash.delivered") },
    { key: "rejected" as const, color: "#ff7a45", label: t("dash.rejected") },
  ];
  const hours = history.slice(-24);
  const max = niceMax(hours.flatMap((h) => series.map((s) => h[s.key])));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(hours.length, 1);
  const bar = Math.max(1, (slot - 2) / series.length);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  return (
    <figure style={{ margin: 0 }} aria-label={t("dash.traffic")}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" data-testid="traffic-chart">
        {(max >= 2 ? [0, 0.5, 1] : [0, 1]).map((f) => (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} stroke="#eee" />
            <text x={PAD.left - 4} y={y(max * f) + 4} fontSize="10" textAnchor="end" fill="#888">
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        {hours.map((h, i) => (
          <g key={h.hour}>
            {series.map((s, j) => {
              const v = h[s.key];
              return v > 0 ? (
                <rect
                  key={s.key}
                  x={PAD.left + i * slot + 1 + j * bar}
                  y={y(v)}
                  width={bar}
                  height={PAD.top + plotH - y(v)}
                  fill={s.color}
                >
                  <title>{`${new Date(h.hour * 1000).getHours()}:00 ${s.label}: ${v}`}</title>
                </rect>
              ) : null;
            })}
            {i % 3 === 0 && (
              <text x={PAD.left + i * slot + slot / 2} y={H - 8} fontSize="10" textAnchor="middle" fill="#888">
                {`${new Date(h.hour * 1000).getHours()}:00`}
              </text>
            )}
          </g>
        ))}
      </svg>
      <figcaption style={{ display: "flex", gap: 16, fontSize: 12 }}>
        {series.map((s) => (
          <span key={s.key}>
            <span style={{ display: "inline-block", width: 10, height: 10, background: s.color, marginRight: 4 }} />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
