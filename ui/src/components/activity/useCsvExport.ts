import { useCallback, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { LogQuery } from '../../bindings/LogQuery';
import { exportToast } from '../../lib/activityLog';
import { useNotify } from '../notify';

/**
 * Exports a view of the activity log as CSV. The backend writes it a page at a time (a browser
 * download of the streamed file, or a file chosen in the window's save dialog), so the page
 * never holds the lines; a toast says where they went.
 */
export function useCsvExport() {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const run = useCallback(
    async (query: LogQuery) => {
      setError(null);
      setBusy(true);
      try {
        const toast = exportToast(await backend.exportActivityCsv(query));
        if (toast) notify.success(toast.title, toast.body);
      } catch (e: unknown) {
        setError(toApiError(e));
      } finally {
        setBusy(false);
      }
    },
    [notify],
  );

  return { busy, error, run };
}
