import type { CsvExportResult } from '../backend/types';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { ActivityKind } from '../bindings/ActivityKind';
import type { Direction } from '../bindings/Direction';
import type { ErrorGroupView } from '../bindings/ErrorGroupView';
import type { LogOrderView } from '../bindings/LogOrderView';
import type { LogQuery } from '../bindings/LogQuery';
import { formatCount } from './format';

/** The error class labels the engine gives a refused row, in the order the toolbar lists them. */
export const ERROR_CLASSES = ['application', '400', '401/403', '404', '412', '429', '502', '503', 'timeout', 'other'] as const;

/** The Activity page's toolbar: every filter is applied by the backend; '' means any. */
export interface LogFilters {
  map: string;
  direction: Direction | '';
  kind: ActivityKind | '';
  status: string;
  /** A failure's error class label (one of ERROR_CLASSES), or '' for any line. */
  errorClass: string;
  text: string;
  order: LogOrderView;
}

export const NO_FILTERS: LogFilters = { map: '', direction: '', kind: '', status: '', errorClass: '', text: '', order: 'newestFirst' };

/** The backend query of the filters, starting after `after` (a previous page's `next`). */
export function logQuery(filters: LogFilters, after: number | null = null): LogQuery {
  const query: LogQuery = { order: filters.order };
  if (filters.map) query.map = filters.map;
  if (filters.direction) query.direction = filters.direction;
  if (filters.kind) query.kind = filters.kind;
  if (filters.status) query.status = filters.status;
  if (filters.errorClass) query.errorClass = filters.errorClass;
  const text = filters.text.trim();
  if (text) query.text = text;
  if (after !== null) query.after = after;
  return query;
}

/** Whether a live line belongs in the filtered view (the same rules the backend applies). */
export function matchesFilters(entry: ActivityEntry, filters: LogFilters): boolean {
  if (filters.map && entry.map !== filters.map) return false;
  if (filters.direction && entry.direction !== filters.direction) return false;
  if (filters.kind && entry.kind !== filters.kind) return false;
  if (filters.status && entry.status !== filters.status) return false;
  if (filters.errorClass && entry.errorClass !== filters.errorClass) return false;
  const needle = filters.text.trim().toLowerCase();
  if (!needle) return true;
  return (entry.key ?? '').toLowerCase().includes(needle) || entry.message.toLowerCase().includes(needle);
}

/**
 * Adds live lines to the top of a newest-first list: those newer than its first line, newest
 * first. Lines it already holds (or older ones) are left out, so a page and the stream can overlap.
 */
export function prependNewer(current: readonly ActivityEntry[], incoming: readonly ActivityEntry[]): ActivityEntry[] {
  const top = current.length > 0 ? current[0].id : -Infinity;
  const newer = incoming.filter((e) => e.id > top).sort((a, b) => b.id - a.id);
  return newer.length === 0 ? (current as ActivityEntry[]) : [...newer, ...current];
}

/** Appends a page, leaving out ids already held (a line can be both streamed and paged). */
export function appendPage(current: readonly ActivityEntry[], page: readonly ActivityEntry[]): ActivityEntry[] {
  if (current.length === 0) return [...page];
  const held = new Set(current.map((e) => e.id));
  return [...current, ...page.filter((e) => !held.has(e.id))];
}

/** Map names for the map filter: the configured maps, those seen in the log, and the chosen one; sorted, unique. */
export function mapOptions(configured: readonly string[], seen: readonly ActivityEntry[], chosen: string): string[] {
  const names = new Set(configured);
  for (const entry of seen) names.add(entry.map);
  if (chosen) names.add(chosen);
  return [...names].sort((a, b) => a.localeCompare(b));
}

/** Whether the end of the loaded rows is near enough that the next page should load. */
export function shouldLoadMore(lastVisibleIndex: number, loaded: number, hasNext: boolean, busy: boolean, margin = 200): boolean {
  return hasNext && !busy && lastVisibleIndex >= loaded - margin;
}

/** The toast after an export: where the lines went (nothing to say when the dialog was cancelled). */
export function exportToast(result: CsvExportResult): { title: string; body?: string } | null {
  switch (result.kind) {
    case 'saved':
      return { title: `Saved ${formatCount(result.lines)} ${result.lines === 1 ? 'line' : 'lines'} to ${result.path}` };
    case 'download':
      return { title: 'Export started', body: 'The browser downloads the CSV as Duet writes it.' };
    case 'cancelled':
      return null;
  }
}

/** The log view of one error group: its map, status, class and message pattern. */
export function groupQuery(group: Pick<ErrorGroupView, 'map' | 'status' | 'errorClass' | 'pattern'>): LogQuery {
  const query: LogQuery = { map: group.map, status: group.status, pattern: group.pattern, order: 'newestFirst' };
  if (group.errorClass) query.errorClass = group.errorClass;
  return query;
}

/** What Retry group asks before it queues the group's failed changes again. */
export function retryGroupQuestion(map: string, changes: number): string {
  if (changes === 0) return `No failed change of map ${map} waits in the queue with this cause: there is nothing to retry.`;
  const what = changes === 1 ? '1 failed change' : `${formatCount(changes)} failed changes`;
  return `${what} of map ${map} with this cause will go back to the end of its queue and be applied again.`;
}
