import type { Side } from '../bindings/Side';
import type { TableMap } from '../bindings/TableMap';

/**
 * Where a filter error points, split for drawing: the line holding the character, the text
 * before it, the character itself and the rest of the line. Positions count characters (code
 * points, as the backend counts them), 1-based; a position just past the end points at the end
 * of the text, where something was expected.
 */
export interface CaretMark {
  /** 1-based line of the text the position falls on. */
  lineNumber: number;
  /** 1-based column within that line. */
  column: number;
  before: string;
  at: string;
  after: string;
  /** The position is past the last character: the expression ended too soon. */
  atEnd: boolean;
}

export function caretMark(text: string, position: number | null): CaretMark | null {
  if (position === null || !Number.isFinite(position)) return null;
  const chars = Array.from(text);
  const index = Math.min(Math.max(Math.trunc(position), 1), chars.length + 1) - 1;
  let lineStart = 0;
  let lineNumber = 1;
  for (let i = 0; i < index; i += 1) {
    if (chars[i] === '\n') {
      lineStart = i + 1;
      lineNumber += 1;
    }
  }
  const newline = chars.indexOf('\n', index);
  const lineEnd = newline === -1 ? chars.length : newline;
  const atEnd = index >= lineEnd;
  return {
    lineNumber,
    column: index - lineStart + 1,
    before: chars.slice(lineStart, index).join(''),
    at: atEnd ? '' : chars[index],
    after: atEnd ? '' : chars.slice(index + 1, lineEnd).join(''),
    atEnd,
  };
}

/** Puts a column name where the cursor is (replacing a selection), with a space on either side where needed. */
export function insertAt(text: string, start: number, end: number, insert: string): { text: string; cursor: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  const before = text.slice(0, from);
  const after = text.slice(to);
  const lead = before === '' || /[\s(]$/.test(before) ? '' : ' ';
  const trail = after === '' || /^[\s)]/.test(after) ? '' : ' ';
  const piece = `${lead}${insert}${trail}`;
  return { text: `${before}${piece}${after}`, cursor: before.length + lead.length + insert.length };
}

/** The map property that holds a side's source filter. */
export function filterProperty(side: Side): 'filterFinanceOperations' | 'filterDataverse' {
  return side === 'financeOperations' ? 'filterFinanceOperations' : 'filterDataverse';
}

export function filterOf(map: TableMap, side: Side): string {
  return map[filterProperty(side)] ?? '';
}

/** The map with a side's filter replaced; an empty filter is stored as none (every row is kept). */
export function withFilter(map: TableMap, side: Side, text: string): TableMap {
  return { ...map, [filterProperty(side)]: text.trim() === '' ? null : text };
}

/** "Keeps 210 rows in the linked companies." */
export function countText(count: number, filtered: boolean): string {
  const rows = `${count.toLocaleString('en-US')} ${count === 1 ? 'row' : 'rows'}`;
  return filtered ? `Keeps ${rows} of the linked companies.` : `No filter: all ${rows} of the linked companies are synced.`;
}
