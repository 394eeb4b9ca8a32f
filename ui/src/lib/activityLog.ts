import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { ActivityKind } from '../bindings/ActivityKind';
import type { Direction } from '../bindings/Direction';
import type { LogOrderView } from '../bindings/LogOrderView';
import type { LogQuery } from '../bindings/LogQuery';

/** The Activity page's toolbar: every filter is applied by the backend; '' means any. */
export interface LogFilters {
  map: string;
  direction: Direction | '';
  kind: ActivityKind | '';
  status: string;
  text: string;
  order: LogOrderView;
}

export const NO_FILTERS: LogFilters = { map: '', direction: '', kind: '', status: '', text: '', order: 'newestFirst' };

/** The backend query of the filters, starting after `after` (a previous page's `next`). */
export function logQuery(filters: LogFilters, after: number | null = null): LogQuery {
  const query: LogQuery = { order: filters.order };
  if (filters.map) query.map = filters.map;
  if (filters.direction) query.direction = filters.direction;
  if (filters.kind) query.kind = filters.kind;
  if (filters.status) query.status = filters.status;
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
