import { describe, expect, it } from 'vitest';
import type { MapView } from '../bindings/MapView';
import { upsertMap } from './maps';

const map = (name: string, over: Partial<MapView> = {}): MapView => ({
  name,
  title: name,
  financeOperationsEntity: 'E',
  dataverseTable: 't',
  state: 'notRunning',
  reason: null,
  fields: [],
  rowsSynced: 0,
  errors: 0,
  queued: 0,
  parked: 0,
  failed: 0,
  ...over,
});

describe('upsertMap', () => {
  it('replaces in place by name', () => {
    const out = upsertMap([map('a'), map('b')], map('a', { state: 'running' }));
    expect(out.map((m) => [m.name, m.state])).toEqual([
      ['a', 'running'],
      ['b', 'notRunning'],
    ]);
  });
  it('appends a new map', () => {
    expect(upsertMap([map('a')], map('c')).map((m) => m.name)).toEqual(['a', 'c']);
  });
});
