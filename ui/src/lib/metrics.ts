import type { MetricSeries } from '../bindings/MetricSeries';
import type { MetricsView } from '../bindings/MetricsView';
import { directionLabel } from './labels';

/** One point of a chart line: time in epoch milliseconds and a value. */
export interface ChartPoint {
  t: number;
  v: number;
}

export interface ChartSeries {
  id: string;
  label: string;
  points: ChartPoint[];
  dashed?: boolean;
  /** Series of one group share a colour (p50 and p99 of one map and direction). */
  group?: string;
}

/** The windows the dashboard offers. */
export const WINDOWS = [
  { minutes: 15, label: 'Last 15 minutes' },
  { minutes: 60, label: 'Last hour' },
  { minutes: 24 * 60, label: 'Last 24 hours' },
  { minutes: 7 * 24 * 60, label: 'Last 7 days' },
] as const;

function seriesLabel(s: Pick<MetricSeries, 'map' | 'direction'>): string {
  return `${s.map} · ${directionLabel(s.direction === 'toDataverse' ? 'toDataverse' : 'toFinanceOperations')}`;
}

/** Every bucket start of the window, so idle buckets draw as zero instead of being skipped. */
export function bucketStarts(view: Pick<MetricsView, 'since' | 'until' | 'bucketSeconds'>): number[] {
  const size = view.bucketSeconds * 1000;
  const since = Date.parse(view.since);
  const until = Date.parse(view.until);
  if (!(size > 0) || Number.isNaN(since) || Number.isNaN(until)) return [];
  const starts: number[] = [];
  for (let t = Math.floor(since / size) * size; t <= until; t += size) starts.push(t);
  return starts;
}

/** One line per series of `pick` per bucket, zero where a bucket had nothing. */
function perBucket(
  view: MetricsView,
  series: MetricSeries[],
  pick: (point: MetricSeries['points'][number]) => number,
): ChartSeries[] {
  const starts = bucketStarts(view);
  return series.map((s) => {
    const byStart = new Map(s.points.map((p) => [Date.parse(p.start), pick(p)]));
    return {
      id: `${s.map}:${s.direction}`,
      label: seriesLabel(s),
      points: starts.map((t) => ({ t, v: byStart.get(t) ?? 0 })),
    };
  });
}

/** Rows per second per map and direction, zero where a bucket had nothing. */
export function throughputSeries(view: MetricsView): ChartSeries[] {
  return perBucket(view, view.series, (p) => p.rowsPerSecond);
}

/** Errors per bucket per map and direction, only for series that had any. */
export function errorSeries(view: MetricsView): ChartSeries[] {
  return perBucket(
    view,
    view.series.filter((s) => s.errors > 0),
    (p) => p.errors,
  );
}

/** p50 and p99 latency lines (p99 dashed) of the series that carried latencies. */
export function latencySeries(view: MetricsView): ChartSeries[] {
  const out: ChartSeries[] = [];
  for (const s of view.series) {
    for (const [name, pick, dashed] of [
      ['p50', (p: MetricSeries['points'][number]) => p.p50Ms, false],
      ['p99', (p: MetricSeries['points'][number]) => p.p99Ms, true],
    ] as const) {
      const points = s.points
        .filter((p) => pick(p) !== null)
        .map((p) => ({ t: Date.parse(p.start), v: pick(p) as number }));
      if (points.length > 0) {
        out.push({ id: `${s.map}:${s.direction}:${name}`, label: `${seriesLabel(s)} ${name}`, points, dashed, group: `${s.map}:${s.direction}` });
      }
    }
  }
  return out;
}

/** Changes waiting (queued and parked) per map, as sampled. */
export function queueSeries(view: MetricsView): ChartSeries[] {
  return view.queue.map((q) => ({
    id: q.map,
    label: q.map,
    points: q.points.map((p) => ({ t: Date.parse(p.at), v: p.queued + p.parked })),
  }));
}

export interface Summary {
  rows: number;
  errors: number;
  /** Rows over the whole window divided by its length. */
  averageRowsPerSecond: number;
  /** The busiest bucket of any one series. */
  peakRowsPerSecond: number;
  /** The worst series' p50 and p99 (null without live changes). */
  p50Ms: number | null;
  p99Ms: number | null;
  /** The last sample of every map: waiting (queued + parked) and failed. */
  waiting: number;
  failed: number;
}

const maxOrNull = (values: (number | null)[]): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? Math.max(...present) : null;
};

export function summarize(view: MetricsView): Summary {
  const rows = view.series.reduce((n, s) => n + s.rows, 0);
  const seconds = Math.max(1, (Date.parse(view.until) - Date.parse(view.since)) / 1000);
  const last = view.queue.map((q) => q.points[q.points.length - 1]).filter((p) => p !== undefined);
  return {
    rows,
    errors: view.series.reduce((n, s) => n + s.errors, 0),
    averageRowsPerSecond: rows / seconds,
    peakRowsPerSecond: Math.max(0, ...view.series.flatMap((s) => s.points.map((p) => p.rowsPerSecond))),
    p50Ms: maxOrNull(view.series.map((s) => s.p50Ms)),
    p99Ms: maxOrNull(view.series.map((s) => s.p99Ms)),
    waiting: last.reduce((n, p) => n + p.queued + p.parked, 0),
    failed: last.reduce((n, p) => n + p.failed, 0),
  };
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above `max` (1 for nothing), so axes end on round figures. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

/** The top of an axis for whole numbers: a multiple of 4 (so the quarter ticks are whole) at or above `niceCeiling`. */
export function wholeCeiling(max: number): number {
  return Math.max(4, Math.ceil(niceCeiling(max) / 4) * 4);
}

/** A rate for display: up to two decimals below 10 (no trailing zeros), whole numbers above. */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0';
  if (perSecond < 10) return String(Number(perSecond.toFixed(2)));
  return Math.round(perSecond).toLocaleString();
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
