import { Caption1, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { useId } from 'react';
import { niceCeiling, wholeCeiling, type ChartSeries } from '../lib/metrics';

/** Colours for series, in order; they repeat after eight. */
const PALETTE = [
  tokens.colorPaletteBlueForeground2,
  tokens.colorPaletteGreenForeground1,
  tokens.colorPaletteMarigoldForeground1,
  tokens.colorPaletteBerryForeground1,
  tokens.colorPaletteTealForeground2,
  tokens.colorPaletteDarkOrangeForeground1,
  tokens.colorPalettePurpleForeground2,
  tokens.colorPaletteRedForeground1,
];

const W = 640;
const H = 200;
const M = { left: 52, right: 12, top: 10, bottom: 26 };

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  svg: { width: '100%', height: 'auto', display: 'block' },
  axis: { stroke: tokens.colorNeutralStroke1, strokeWidth: 1 },
  grid: { stroke: tokens.colorNeutralStroke3, strokeWidth: 1 },
  tick: { fill: tokens.colorNeutralForeground3, fontSize: '11px', fontFamily: tokens.fontFamilyBase },
  legend: { display: 'flex', flexWrap: 'wrap', gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}` },
  legendItem: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS, color: tokens.colorNeutralForeground2 },
  swatch: { width: '14px', height: '3px', borderRadius: '2px' },
  empty: { color: tokens.colorNeutralForeground3, fontSize: '13px', fontFamily: tokens.fontFamilyBase },
});

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayClock = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export interface TimeChartProps {
  title: string;
  series: ChartSeries[];
  /** Window bounds, epoch milliseconds. */
  since: number;
  until: number;
  format: (value: number) => string;
  /** `line` joins points; `step` holds each value until the next (sampled levels); `bars` draws one bar per point. */
  variant?: 'line' | 'step' | 'bars';
  /** Bar width in milliseconds (the bucket), for `bars`. */
  barMs?: number;
  /** Values are counts: the axis keeps to whole numbers. */
  whole?: boolean;
  empty: string;
  testId: string;
}

/** A small time-series chart in plain SVG: round-figure y axis, time ticks, legend. */
export function TimeChart({ title, series, since, until, format, variant = 'line', barMs = 0, whole = false, empty, testId }: TimeChartProps) {
  const styles = useStyles();
  const titleId = useId();
  const span = Math.max(1, until - since);
  const highest = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.v)));
  const max = whole ? wholeCeiling(highest) : niceCeiling(highest);
  const groups = [...new Set(series.map((s) => s.group ?? s.id))];
  const colorOf = (s: ChartSeries) => PALETTE[groups.indexOf(s.group ?? s.id) % PALETTE.length];
  const x = (t: number) => M.left + ((t - since) / span) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - (v / max) * (H - M.top - M.bottom);
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => since + f * span);
  const timeFormat = span > 20 * 3600 * 1000 ? dayClock : clock;
  const hasData = series.some((s) => s.points.length > 0);

  const path = (s: ChartSeries) => {
    const pts = s.points.filter((p) => p.t >= since - span && p.t <= until);
    if (pts.length === 0) return '';
    if (variant === 'step') {
      let d = `M${x(Math.max(pts[0].t, since))},${y(pts[0].v)}`;
      for (let i = 1; i < pts.length; i += 1) {
        d += ` H${x(pts[i].t)} V${y(pts[i].v)}`;
      }
      return `${d} H${x(until)}`;
    }
    return pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t)},${y(p.v)}`).join(' ');
  };

  return (
    <div className={styles.root} data-testid={testId} data-series={series.length}>
      <Subtitle2 id={titleId}>{title}</Subtitle2>
      <svg className={styles.svg} viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId}>
        {yTicks.map((v) => (
          <g key={`y${v}`}>
            <line className={v === 0 ? styles.axis : styles.grid} x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} />
            <text className={styles.tick} x={M.left - 6} y={y(v) + 4} textAnchor="end">
              {format(v)}
            </text>
          </g>
        ))}
        {xTicks.map((t, i) => (
          <text
            key={`x${t}`}
            className={styles.tick}
            x={x(t)}
            y={H - 8}
            textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}
          >
            {timeFormat.format(new Date(t))}
          </text>
        ))}
        {hasData ? null : (
          <text className={styles.empty} x={(M.left + W - M.right) / 2} y={(M.top + H - M.bottom) / 2} textAnchor="middle">
            {empty}
          </text>
        )}
        {series.map((s, i) => {
          const color = colorOf(s);
          if (variant === 'bars') {
            const width = Math.max(2, ((barMs || span / 60) / span) * (W - M.left - M.right) * 0.8);
            const offset = (i * width) / Math.max(1, series.length);
            return (
              <g key={s.id} data-testid={`${testId}-series`}>
                {s.points
                  .filter((p) => p.v > 0)
                  .map((p) => (
                    <rect
                      key={p.t}
                      x={x(p.t) + offset}
                      y={y(p.v)}
                      width={width / Math.max(1, series.length)}
                      height={Math.max(0, y(0) - y(p.v))}
                      fill={color}
                    >
                      <title>{`${s.label}: ${format(p.v)} at ${timeFormat.format(new Date(p.t))}`}</title>
                    </rect>
                  ))}
              </g>
            );
          }
          const markers = s.points.length <= 40 ? s.points.filter((p) => p.t >= since && p.t <= until) : [];
          return (
            <g key={s.id}>
              {markers.map((p) => (
                <circle key={p.t} cx={x(p.t)} cy={y(p.v)} r={variant === 'step' ? 0 : 2.5} fill={color}>
                  <title>{`${s.label}: ${format(p.v)} at ${timeFormat.format(new Date(p.t))}`}</title>
                </circle>
              ))}
              <path
                data-testid={`${testId}-series`}
                d={path(s)}
              fill="none"
              stroke={color}
              strokeWidth={2}
              strokeDasharray={s.dashed ? '5 4' : undefined}
              strokeLinejoin="round"
            >
                <title>{s.label}</title>
              </path>
            </g>
          );
        })}
      </svg>
      {series.length > 0 ? (
        <div className={styles.legend}>
          {series.map((s) => (
            <span key={s.id} className={styles.legendItem}>
              <span
                className={styles.swatch}
                style={{
                  background: s.dashed
                    ? `repeating-linear-gradient(90deg, ${colorOf(s)} 0 5px, transparent 5px 8px)`
                    : colorOf(s),
                }}
              />
              <Caption1>{s.label}</Caption1>
            </span>
          ))}
        </div>
      ) : null}
    </div>
  );
}
