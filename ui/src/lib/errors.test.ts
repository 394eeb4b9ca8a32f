import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { MapView } from '../bindings/MapView';
import type { QueuedChangeView } from '../bindings/QueuedChangeView';
import { buildErrorGroups, conflictLosers, conflictPayload, failedOnly, totalFailed } from './errors';

function map(name: string, failed: number, parked = 0): MapView {
  return {
    name,
    title: name.toUpperCase(),
    financeOperationsEntity: 'E',
    dataverseTable: 't',
    state: 'running',
    reason: null,
    fields: [],
    rowsSynced: 0,
    errors: 0,
    queued: 0,
    parked,
    failed,
    progress: null,
    updatedAt: '2026-11-23T10:00:00.000Z',
  };
}

function change(seq: number, status: QueuedChangeView['status'], capturedAt = `2024-01-01T00:00:0${seq}Z`): QueuedChangeView {
  return { seq, side: 'financeOperations', operation: 'update', key: `K${seq}`, status, attempts: 1, error: 'x', capturedAt, row: {} };
}

function entry(id: number, status: string, extra: Record<string, unknown> = {}): ActivityEntry {
  return {
    id,
    at: '2024-01-01T00:00:00Z',
    map: 'customers',
    kind: 'error',
    direction: 'toDataverse',
    key: 'DAT|C1',
    operation: 'conflict',
    status,
    message: 'm',
    latencyMs: null,
    payload: null,
    errorClass: null,
    ...extra,
  };
}

describe('error lists', () => {
  it('keeps failed changes only', () => {
    expect(failedOnly([change(1, 'queued'), change(2, 'failed'), change(3, 'parked')]).map((c) => c.seq)).toEqual([2]);
  });

  it('groups failed changes per map in map order, newest first, skipping clean maps', () => {
    const groups = buildErrorGroups([map('a', 2, 1), map('b', 0), map('c', 1)], {
      a: [change(1, 'failed'), change(2, 'queued'), change(3, 'failed'), change(4, 'parked')],
      b: [change(5, 'queued')],
      c: [change(6, 'failed')],
    });
    expect(groups.map((g) => [g.map, g.title, g.failed.map((c) => c.seq), g.failedTotal, g.parked])).toEqual([
      ['a', 'A', [3, 1], 2, 1],
      ['c', 'C', [6], 1, 0],
    ]);
    expect(totalFailed(groups)).toBe(3);
  });

  it('counts failures the summary reports even before the queue is loaded, and whichever is larger', () => {
    const groups = buildErrorGroups([map('a', 5), map('b', 0)], { b: [change(1, 'failed')] });
    expect(groups.map((g) => [g.map, g.failed.length, g.failedTotal])).toEqual([
      ['a', 0, 5],
      ['b', 1, 1],
    ]);
  });

  it('picks conflict losers, deduplicated, newest first, with their payload when sent', () => {
    const losers = conflictLosers([entry(1, 'conflict'), entry(2, 'failed'), entry(3, 'conflict', { payload: { a: 1 } }), entry(1, 'conflict')]);
    expect(losers.map((e) => e.id)).toEqual([3, 1]);
    expect(conflictPayload(losers[0])).toEqual({ a: 1 });
    expect(conflictPayload(losers[1])).toBeUndefined();
  });
});
