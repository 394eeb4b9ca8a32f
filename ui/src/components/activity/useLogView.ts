import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { backend, toApiError } from '../../backend';
import type { ActivityEntry } from '../../bindings/ActivityEntry';
import type { ApiError } from '../../bindings/ApiError';
import { appendPage, logQuery, matchesFilters, prependNewer, type LogFilters } from '../../lib/activityLog';

/** Lines asked for per keyset page while scrolling. */
export const LOG_PAGE = 1000;

export interface LogView {
  /** The lines loaded so far, in the order asked for. */
  entries: ActivityEntry[];
  /** How many lines match the filters (from the first page, plus lines prepended live). */
  total: number | null;
  /** Where the next page starts; null when everything matching is loaded. */
  next: number | null;
  loading: boolean;
  error: ApiError | null;
  /** Live lines matching the filters that arrived while the view could not take them. */
  fresh: number;
}

interface State extends LogView {
  /** The filters the state belongs to: until the first page of new filters answers, the view is empty. */
  filters: LogFilters | null;
}

const EMPTY: State = { entries: [], total: null, next: null, loading: true, error: null, fresh: 0, filters: null };

/**
 * The filtered activity log as keyset pages: the first page on every change of filters,
 * the next one on `loadMore`, and live lines either prepended (newest first, scrolled to
 * the top) or counted in `fresh` so the view does not move under the reader.
 */
export function useLogView(filters: LogFilters, atTop: RefObject<boolean>) {
  const [state, setView] = useState<State>(EMPTY);
  const generation = useRef(0);
  const busy = useRef(false);
  const next = useRef<number | null>(null);
  /** Live lines that arrived while the first page was on its way: it may have been read before them. */
  const arrived = useRef<ActivityEntry[]>([]);

  /** Asks for the first page; state changes only when it answers, so an effect may call it. */
  const fetchFirst = useCallback(() => {
    const gen = ++generation.current;
    busy.current = true;
    next.current = null;
    arrived.current = [];
    backend.logPage(logQuery(filters), LOG_PAGE).then(
      (page) => {
        if (gen !== generation.current) return;
        busy.current = false;
        next.current = page.next;
        const late = arrived.current;
        arrived.current = [];
        const entries = filters.order === 'newestFirst' ? prependNewer(page.entries, late) : page.entries;
        const added = entries.length - page.entries.length;
        const fresh = filters.order === 'newestFirst' ? 0 : late.length;
        const total = page.total === null ? null : page.total + added;
        setView({ ...EMPTY, entries, total, next: page.next, loading: false, filters, fresh });
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        busy.current = false;
        setView({ ...EMPTY, loading: false, error: toApiError(e), filters });
      },
    );
  }, [filters]);

  const reload = useCallback(() => {
    setView({ ...EMPTY, filters });
    fetchFirst();
  }, [filters, fetchFirst]);

  const loadMore = useCallback(() => {
    const after = next.current;
    if (busy.current || after === null) return;
    const gen = generation.current;
    busy.current = true;
    backend.logPage(logQuery(filters, after), LOG_PAGE).then(
      (page) => {
        if (gen !== generation.current) return;
        busy.current = false;
        next.current = page.next;
        setView((v) => ({ ...v, entries: appendPage(v.entries, page.entries), next: page.next, error: null }));
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        busy.current = false;
        setView((v) => ({ ...v, error: toApiError(e) }));
      },
    );
  }, [filters]);

  useEffect(() => fetchFirst(), [fetchFirst]);

  useEffect(
    () =>
      backend.subscribe((event) => {
        if (event.type !== 'activity' || !matchesFilters(event.entry, filters)) return;
        const entry = event.entry;
        setView((v) => {
          if (v.loading || v.filters !== filters) {
            // The first page is on its way and may have been read before this line: keep it
            // for when the page answers.
            arrived.current.push(entry);
            return v;
          }
          if (filters.order !== 'newestFirst' || !atTop.current) return { ...v, fresh: v.fresh + 1 };
          const entries = prependNewer(v.entries, [entry]);
          if (entries === v.entries) return v;
          return { ...v, entries, total: v.total === null ? null : v.total + 1 };
        });
      }),
    [filters, atTop],
  );

  const view: LogView = state.filters === filters ? state : EMPTY;
  return { view, reload, loadMore };
}
