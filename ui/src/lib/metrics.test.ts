import { describe, expect, it } from 'vitest';
import type { MetricsView } from '../bindings/MetricsView';
import {
  bucketStarts,
  errorSeries,
  formatMs,
  formatRate,
  latencySeries,
  niceCeiling,
  queueSeries,
  summarize,
  throughputSeries,
  wholeCeiling,
} from './metrics';

const view: MetricsView = {
  since: '2026-11-23T10:00:00.000Z',
  until: '2026-11-23T10:05:00.000Z',
  bucketSeconds: 60,
  series: [
    {
      map: 'customers',
      direction: 'toDataverse',
      rows: 180,
      errors: 2,
      p50Ms: 40,
      p99Ms: 900,
      points: [
        { start: '2026-11-23T10:01:00.000Z', rows: 120, errors: 0, rowsPerSecond: 2, p50Ms: null, p99Ms: null },
        { start: '2026-11-23T10:03:00.000Z', rows: 60, errors: 2, rowsPerSecond: 1, p50Ms: 40, p99Ms: 900 },
      ],
    },
    {
      map: 'customers',
      direction: 'toFinanceOperations',
      rows: 6,
      errors: 0,
      p50Ms: 70,
      p99Ms: 80,
      points: [{ start: '2026-11-23T10:04:00.000Z', rows: 6, errors: 0, rowsPerSecond: 0.1, p50Ms: 70, p99Ms: 80 }],
    },
  ],
  queue: [
    {
      map: 'customers',
      points: [
        { at: '2026-11-23T10:00:10.000Z', queued: 5, parked: 1, failed: 0 },
        { at: '2026-11-23T10:04:10.000Z', queued: 0, parked: 2, failed: 3 },
      ],
    },
  ],
};

describe('metrics helpers', () => {
  it('lists every bucket start of the window', () => {
    const starts = bucketStarts(view);
    expect(starts).toHaveLength(6);
    expect(new Date(starts[0]).toISOString()).toBe('2026-11-23T10:00:00.000Z');
    expect(new Date(starts[5]).toISOString()).toBe('2026-11-23T10:05:00.000Z');
  });

  it('fills idle buckets with zero so lines drop instead of skipping', () => {
    const [toDv] = throughputSeries(view);
    expect(toDv.label).toBe('customers · F&O → Dataverse');
    expect(toDv.points.map((p) => p.v)).toEqual([0, 2, 0, 1, 0, 0]);
  });

  it('draws errors only for series that had any', () => {
    const errors = errorSeries(view);
    expect(errors).toHaveLength(1);
    expect(errors[0].points.map((p) => p.v)).toEqual([0, 0, 0, 2, 0, 0]);
  });

  it('gives p50 and dashed p99 lines from buckets with latencies only', () => {
    const lines = latencySeries(view);
    expect(new Set(lines.slice(0, 2).map((l) => l.group))).toEqual(new Set(['customers:toDataverse']));
    expect(lines.map((l) => [l.id, l.dashed, l.points.map((p) => p.v)])).toEqual([
      ['customers:toDataverse:p50', false, [40]],
      ['customers:toDataverse:p99', true, [900]],
      ['customers:toFinanceOperations:p50', false, [70]],
      ['customers:toFinanceOperations:p99', true, [80]],
    ]);
  });

  it('counts queued and parked changes as waiting', () => {
    expect(queueSeries(view)[0].points.map((p) => p.v)).toEqual([6, 2]);
  });

  it('summarizes the window', () => {
    expect(summarize(view)).toEqual({
      rows: 186,
      errors: 2,
      averageRowsPerSecond: 186 / 300,
      peakRowsPerSecond: 2,
      p50Ms: 70,
      p99Ms: 900,
      waiting: 2,
      failed: 3,
    });
  });

  it('keeps whole-number axes on whole quarter ticks', () => {
    expect(wholeCeiling(0)).toBe(4);
    expect(wholeCeiling(1)).toBe(4);
    expect(wholeCeiling(7)).toBe(12);
    expect(wholeCeiling(150)).toBe(200);
  });

  it('rounds axes up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(0.3)).toBeCloseTo(0.5);
    expect(niceCeiling(7)).toBe(10);
    expect(niceCeiling(120)).toBe(200);
    expect(niceCeiling(2000)).toBe(2000);
  });

  it('formats rates and latencies', () => {
    expect(formatRate(0)).toBe('0');
    expect(formatRate(0.625)).toBe('0.63');
    expect(formatRate(5)).toBe('5');
    expect(formatRate(2.5)).toBe('2.5');
    expect(formatRate(1234.4)).toBe((1234).toLocaleString());
    expect(formatMs(null)).toBe('—');
    expect(formatMs(40)).toBe('40 ms');
    expect(formatMs(2500)).toBe('2.5 s');
  });
});
