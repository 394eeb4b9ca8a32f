import { useCallback, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ActivityEntry } from '../../bindings/ActivityEntry';
import type { ApiError } from '../../bindings/ApiError';
import { logQuery, type LogFilters } from '../../lib/activityLog';
import { activityCsv, activityCsvFileName } from '../../lib/csv';
import { downloadText } from '../../lib/download';

/** Lines asked for per page while exporting (the backend's most). */
const EXPORT_PAGE = 5000;

export interface ExportProgress {
  done: number;
  total: number | null;
}

/** Exports the filtered log as CSV: every page in turn, with progress, then a download. */
export function useCsvExport(filters: LogFilters) {
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const run = useCallback(async () => {
    setError(null);
    setProgress({ done: 0, total: null });
    try {
      const all: ActivityEntry[] = [];
      let total: number | null = null;
      let after: number | null = null;
      do {
        const page = await backend.logPage(logQuery(filters, after), EXPORT_PAGE);
        if (after === null) total = page.total;
        for (const entry of page.entries) all.push(entry);
        setProgress({ done: all.length, total });
        after = page.next;
      } while (after !== null);
      downloadText(activityCsv(all), activityCsvFileName(), 'text/csv;charset=utf-8');
    } catch (e: unknown) {
      setError(toApiError(e));
    } finally {
      setProgress(null);
    }
  }, [filters]);

  return { progress, error, run };
}
