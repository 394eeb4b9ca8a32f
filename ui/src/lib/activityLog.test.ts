import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import {
  NO_FILTERS,
  appendPage,
  exportToast,
  groupQuery,
  logQuery,
  mapOptions,
  matchesFilters,
  prependNewer,
  retryGroupQuestion,
  shouldLoadMore,
} from './activityLog';

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
  errorClass: null,
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
    expect(logQuery({ ...NO_FILTERS, map: 'vendors-v2', errorClass: '401/403' })).toEqual({
      map: 'vendors-v2',
      errorClass: '401/403',
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
  it('matches a live line by its error class, and a line without a class only when no class is chosen', () => {
    const refused = entry(1, { kind: 'error', status: 'failed', errorClass: '429' });
    expect(matchesFilters(refused, { ...NO_FILTERS, errorClass: '429' })).toBe(true);
    expect(matchesFilters(refused, { ...NO_FILTERS, errorClass: '400' })).toBe(false);
    expect(matchesFilters(entry(2), { ...NO_FILTERS, errorClass: '429' })).toBe(false);
    expect(matchesFilters(entry(2), NO_FILTERS)).toBe(true);
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

describe('error group actions', () => {
  it('queries one group by map, status, class and pattern, leaving out a missing class', () => {
    const group = { map: 'vendors-v2', status: 'failed', errorClass: '400', pattern: "PATCH accounts(accountnumber='…') failed (400)" };
    expect(groupQuery(group)).toEqual({ ...group, order: 'newestFirst' });
    expect(groupQuery({ ...group, status: 'conflict', errorClass: null })).toEqual({
      map: 'vendors-v2',
      status: 'conflict',
      pattern: group.pattern,
      order: 'newestFirst',
    });
  });
  it('asks with the count of changes, and says when there is nothing to retry', () => {
    expect(retryGroupQuestion('customers', 13333)).toBe(
      '13,333 failed changes of map customers with this cause will go back to the end of its queue and be applied again.',
    );
    expect(retryGroupQuestion('customers', 1)).toMatch(/^1 failed change of map customers /);
    expect(retryGroupQuestion('customers', 0)).toMatch(/nothing to retry/);
  });
});

describe('exportToast', () => {
  it('names the lines and the file saved, and says nothing when the dialog was cancelled', () => {
    expect(exportToast({ kind: 'saved', lines: 13333, path: '/home/a/activity.csv' })).toEqual({
      title: 'Saved 13,333 lines to /home/a/activity.csv',
    });
    expect(exportToast({ kind: 'saved', lines: 1, path: '/tmp/a.csv' })?.title).toBe('Saved 1 line to /tmp/a.csv');
    expect(exportToast({ kind: 'download' })?.title).toBe('Export started');
    expect(exportToast({ kind: 'cancelled' })).toBeNull();
  });
});
