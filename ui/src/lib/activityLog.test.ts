import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import { NO_FILTERS, appendPage, logQuery, mapOptions, matchesFilters, prependNewer, shouldLoadMore } from './activityLog';

const entry = (id: number, over: Partial<ActivityEntry> = {}): ActivityEntry => ({
  id,
  at: '2026-12-06T10:00:00.000Z',
  map: 'customers',
  kind: 'row',
  direction: 'toDataverse',
  key: `DAT|C-${id}`,
  operation: 'upsert',
  status: 'succeeded',
  message: 'upsert in Dataverse',
  latencyMs: 42,
  payload: null,
  ...over,
});

describe('logQuery', () => {
  it('sends only the filters that are set', () => {
    expect(logQuery(NO_FILTERS)).toEqual({ order: 'newestFirst' });
    expect(logQuery({ ...NO_FILTERS, map: 'vendors-v2', kind: 'error', text: '  SEED-1 ', order: 'oldestFirst' }, 42)).toEqual({
      map: 'vendors-v2',
      kind: 'error',
      text: 'SEED-1',
      order: 'oldestFirst',
      after: 42,
    });
    expect(logQuery({ ...NO_FILTERS, direction: 'toFinanceOperations', status: 'failed', text: '   ' })).toEqual({
      direction: 'toFinanceOperations',
      status: 'failed',
      order: 'newestFirst',
    });
  });
});

describe('matchesFilters', () => {
  it('matches everything without filters', () => {
    expect(matchesFilters(entry(1), NO_FILTERS)).toBe(true);
  });
  it('applies each filter', () => {
    const e = entry(1, { map: 'vendors-v2', kind: 'error', status: 'failed', direction: 'toFinanceOperations' });
    expect(matchesFilters(e, { ...NO_FILTERS, map: 'vendors-v2', kind: 'error' })).toBe(true);
    expect(matchesFilters(e, { ...NO_FILTERS, map: 'customers' })).toBe(false);
    expect(matchesFilters(e, { ...NO_FILTERS, kind: 'row' })).toBe(false);
    expect(matchesFilters(e, { ...NO_FILTERS, status: 'succeeded' })).toBe(false);
    expect(matchesFilters(e, { ...NO_FILTERS, direction: 'toDataverse' })).toBe(false);
  });
  it('matches text in the key or the message, ignoring case', () => {
    expect(matchesFilters(entry(5), { ...NO_FILTERS, text: 'dat|c-5' })).toBe(true);
    expect(matchesFilters(entry(5), { ...NO_FILTERS, text: 'DATAVERSE' })).toBe(true);
    expect(matchesFilters(entry(5, { key: null }), { ...NO_FILTERS, text: 'C-5' })).toBe(false);
  });
});

describe('prependNewer and appendPage', () => {
  it('puts newer lines on top, newest first, and leaves out those already held', () => {
    const current = [entry(5), entry(4)];
    expect(prependNewer(current, [entry(6), entry(5), entry(8)]).map((e) => e.id)).toEqual([8, 6, 5, 4]);
    expect(prependNewer(current, [entry(3)])).toBe(current);
    expect(prependNewer([], [entry(1), entry(2)]).map((e) => e.id)).toEqual([2, 1]);
  });
  it('appends a page without duplicates', () => {
    expect(appendPage([entry(5), entry(4)], [entry(4), entry(3)]).map((e) => e.id)).toEqual([5, 4, 3]);
    expect(appendPage([], [entry(2)]).map((e) => e.id)).toEqual([2]);
  });
});

describe('mapOptions', () => {
  it('joins configured maps, maps seen and the chosen one, sorted and unique', () => {
    expect(mapOptions(['customers'], [entry(1, { map: 'vendors-v2' }), entry(2)], 'gone')).toEqual(['customers', 'gone', 'vendors-v2']);
    expect(mapOptions([], [], '')).toEqual([]);
  });
});

describe('shouldLoadMore', () => {
  it('loads when the last visible row nears the end and there is a next page', () => {
    expect(shouldLoadMore(850, 1000, true, false)).toBe(true);
    expect(shouldLoadMore(700, 1000, true, false)).toBe(false);
    expect(shouldLoadMore(999, 1000, false, false)).toBe(false);
    expect(shouldLoadMore(999, 1000, true, true)).toBe(false);
  });
});
