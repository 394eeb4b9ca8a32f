import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import { filterActivity, mergeActivity } from './activity';

function entry(id: number, over: Partial<ActivityEntry> = {}): ActivityEntry {
  return {
    id,
    at: new Date(1_700_000_000_000 + id * 1000).toISOString(),
    map: 'customers',
    kind: 'row',
    direction: 'toDataverse',
    key: `C-${id}`,
    operation: 'create',
    status: 'ok',
    message: `row ${id}`,
    latencyMs: 12,
    payload: null,
    errorClass: null,
    ...over,
  };
}

const ids = (list: readonly ActivityEntry[]) => list.map((e) => e.id);

describe('mergeActivity', () => {
  it('prepends a newer live entry', () => {
    expect(ids(mergeActivity([entry(2), entry(1)], [entry(3)]))).toEqual([3, 2, 1]);
  });
  it('dedupes by id, the incoming copy winning', () => {
    const merged = mergeActivity([entry(2), entry(1)], [entry(2, { status: 'updated' })]);
    expect(ids(merged)).toEqual([2, 1]);
    expect(merged[0].status).toBe('updated');
  });
  it('merges a loaded page with events that arrived first', () => {
    const live = [entry(11), entry(10)];
    const loaded = [entry(10), entry(9), entry(8)];
    expect(ids(mergeActivity(live, loaded))).toEqual([11, 10, 9, 8]);
  });
  it('keeps newest first when an older entry arrives late', () => {
    expect(ids(mergeActivity([entry(5), entry(3)], [entry(4)]))).toEqual([5, 4, 3]);
  });
  it('caps the list, dropping the oldest', () => {
    const many = Array.from({ length: 10 }, (_, i) => entry(10 - i));
    expect(ids(mergeActivity(many, [entry(11)], 5))).toEqual([11, 10, 9, 8, 7]);
    expect(ids(mergeActivity(many, [entry(4)], 3))).toEqual([10, 9, 8]);
    expect(mergeActivity(many, [], 4)).toHaveLength(4);
  });
  it('does not mutate its inputs', () => {
    const current = [entry(2), entry(1)];
    mergeActivity(current, [entry(3)]);
    expect(ids(current)).toEqual([2, 1]);
  });
});

describe('filterActivity', () => {
  const list = [entry(1, { key: 'PW-123', message: 'created' }), entry(2, { key: null, message: 'Map started' })];
  it('matches key or message, case-insensitively', () => {
    expect(ids(filterActivity(list, 'pw-1'))).toEqual([1]);
    expect(ids(filterActivity(list, 'STARTED'))).toEqual([2]);
    expect(ids(filterActivity(list, '  '))).toEqual([1, 2]);
    expect(filterActivity(list, 'nothing')).toEqual([]);
  });
});
