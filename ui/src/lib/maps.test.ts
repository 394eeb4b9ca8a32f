import { describe, expect, it } from 'vitest';
import type { MapView } from '../bindings/MapView';
import { changesByItself, mergeMaps, progressLabel, selectAllState, toggleSelection, upsertMap } from './maps';

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
  progress: null,
  updatedAt: '2026-11-23T10:00:00.000Z',
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
  it('keeps a newer state over an older view that arrives late', () => {
    const running = map('a', { state: 'running', updatedAt: '2026-11-23T10:00:00.326Z' });
    const late = map('a', { state: 'resuming', updatedAt: '2026-11-23T10:00:00.319Z' });
    expect(upsertMap([running], late)[0].state).toBe('running');
    const same = map('a', { state: 'running', queued: 3, updatedAt: running.updatedAt });
    expect(upsertMap([running], same)[0].queued).toBe(3);
  });
  it('appends a new map', () => {
    expect(upsertMap([map('a')], map('c')).map((m) => m.name)).toEqual(['a', 'c']);
  });
});

describe('mergeMaps', () => {
  it('takes the loaded list but keeps a newer view already shown', () => {
    const shown = [
      map('a', { state: 'running', updatedAt: '2026-11-23T10:00:00.502Z' }),
      map('b', { state: 'paused', updatedAt: '2026-11-23T10:00:00.100Z' }),
      map('gone'),
    ];
    const loaded = [
      map('a', { state: 'initializing', updatedAt: '2026-11-23T10:00:00.501Z' }),
      map('b', { state: 'running', updatedAt: '2026-11-23T10:00:00.200Z' }),
      map('c'),
    ];
    expect(mergeMaps(shown, loaded).map((m) => [m.name, m.state])).toEqual([
      ['a', 'running'],
      ['b', 'running'],
      ['c', 'notRunning'],
    ]);
    expect(mergeMaps(null, loaded)).toEqual(loaded);
  });
});

describe('progressLabel', () => {
  it('shows rows, rate and time left when the total is known', () => {
    expect(
      progressLabel({ done: 12000, written: 11000, total: 100000, rowsPerSecond: 3400.4, etaSeconds: 26 }),
    ).toBe('Initial sync: 12,000 of 100,000 rows · 3,400 rows/s · about 26 s left');
  });

  it('falls back to rows read when the source could not count', () => {
    expect(progressLabel({ done: 500, written: 0, total: null, rowsPerSecond: 0, etaSeconds: null })).toBe(
      'Initial sync: 500 rows read',
    );
  });

  it('rounds long waits to minutes and hours', () => {
    expect(progressLabel({ done: 1, written: 1, total: 2, rowsPerSecond: 1, etaSeconds: 600 })).toContain(
      'about 10 min left',
    );
    expect(progressLabel({ done: 1, written: 1, total: 2, rowsPerSecond: 1, etaSeconds: 7200 })).toContain(
      'about 2 h left',
    );
  });
});

describe('changesByItself', () => {
  it('is true while paused, starting, resuming or failing', () => {
    expect(['paused', 'initializing', 'resuming', 'error'].every((s) => changesByItself(s as MapView['state']))).toBe(true);
  });
  it('is false for a running, stopped or never-run map', () => {
    expect(changesByItself('running')).toBe(false);
    expect(changesByItself('stopped')).toBe(false);
    expect(changesByItself('notRunning')).toBe(false);
  });
});

describe('selection', () => {
  const names = ['a', 'b', 'c'];
  it('adds and removes a map, keeping the table order', () => {
    expect(toggleSelection(names, ['c'], 'a', true)).toEqual(['a', 'c']);
    expect(toggleSelection(names, ['a', 'c'], 'a', false)).toEqual(['c']);
    expect(toggleSelection(names, ['c', 'a'], 'b', true)).toEqual(['a', 'b', 'c']);
  });
  it('drops selected names that are no longer in the table', () => {
    expect(toggleSelection(names, ['gone', 'b'], 'c', true)).toEqual(['b', 'c']);
  });
  it('shows select-all as checked, mixed or clear', () => {
    expect(selectAllState(3, 3)).toBe(true);
    expect(selectAllState(1, 3)).toBe('mixed');
    expect(selectAllState(0, 3)).toBe(false);
    expect(selectAllState(0, 0)).toBe(false);
  });
});
