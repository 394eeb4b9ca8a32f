import { describe, expect, it } from 'vitest';
import type { TableMap } from '../bindings/TableMap';
import { caretMark, countText, filterOf, insertAt, withFilter } from './filterText';

describe('caretMark', () => {
  it('marks the character at a 1-based position', () => {
    // "adn" starts at character 21 of this Dataverse filter.
    const mark = caretMark('creditlimit gt 1000 adn name ne null', 21);
    expect(mark).toEqual({ lineNumber: 1, column: 21, before: 'creditlimit gt 1000 ', at: 'a', after: 'dn name ne null', atEnd: false });
  });

  it('marks the first character at position 1', () => {
    expect(caretMark('(x', 1)).toMatchObject({ before: '', at: '(', after: 'x', column: 1 });
  });

  it('points past the end when the expression ended too soon', () => {
    const text = '((PartyType == "Organization")';
    const mark = caretMark(text, text.length + 1);
    expect(mark).toMatchObject({ before: text, at: '', after: '', atEnd: true, column: 31 });
  });

  it('clamps positions outside the text and ignores none', () => {
    expect(caretMark('abc', 99)).toMatchObject({ before: 'abc', atEnd: true });
    expect(caretMark('abc', 0)).toMatchObject({ before: '', at: 'a' });
    expect(caretMark('abc', null)).toBeNull();
  });

  it('finds the line and column in a filter written over several lines', () => {
    const mark = caretMark('(A == 1)\n&& (B >> 2)', 16);
    expect(mark).toEqual({ lineNumber: 2, column: 7, before: '&& (B ', at: '>', after: '> 2)', atEnd: false });
  });

  it('counts characters, not UTF-16 units, as the backend does', () => {
    // "é" and "😀" are one character each.
    expect(caretMark('(Name == "😀é") x', 16)).toMatchObject({ at: 'x', before: '(Name == "😀é") ' });
  });
});

describe('insertAt', () => {
  it('spaces a column from the words around it', () => {
    expect(insertAt('x eq 1 and', 10, 10, 'name')).toEqual({ text: 'x eq 1 and name', cursor: 15 });
    expect(insertAt('((', 2, 2, 'PartyType')).toEqual({ text: '((PartyType', cursor: 11 });
    expect(insertAt('a eq 1', 0, 0, 'b')).toEqual({ text: 'b a eq 1', cursor: 1 });
  });

  it('replaces a selection', () => {
    expect(insertAt('(Foo == 1)', 1, 4, 'Bar')).toEqual({ text: '(Bar == 1)', cursor: 4 });
  });
});

describe('filters on a map', () => {
  const map = { filterFinanceOperations: '(A == 1)' } as unknown as TableMap;
  it('reads and writes a side, storing an empty filter as none', () => {
    expect(filterOf(map, 'financeOperations')).toBe('(A == 1)');
    expect(filterOf(map, 'dataverse')).toBe('');
    expect(withFilter(map, 'dataverse', 'a eq 1').filterDataverse).toBe('a eq 1');
    expect(withFilter(map, 'financeOperations', '  ').filterFinanceOperations).toBeNull();
  });

  it('says how many rows are kept', () => {
    expect(countText(1210, true)).toBe('Keeps 1,210 rows of the linked companies.');
    expect(countText(1, false)).toBe('No filter: all 1 row of the linked companies are synced.');
  });
});
