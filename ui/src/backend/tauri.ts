import { invoke as tauriInvoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { save } from '@tauri-apps/plugin-dialog';
import type { CsvExportView } from '../bindings/CsvExportView';
import type { DuetEvent } from '../bindings/DuetEvent';
import { activityCsvFileName } from '../lib/csv';
import { backendFromInvoke, toApiError, type Backend, type Invoke } from './types';

export const TAURI_EVENT = 'duet://event';

export function createTauriBackend(): Backend {
  const invoke: Invoke = async <T>(command: string, args: Record<string, unknown> = {}) => {
    try {
      // The window has one command; the API's dispatcher routes by name, as over HTTP.
      return await tauriInvoke<T>('call', { command, args });
    } catch (error) {
      throw toApiError(error);
    }
  };
  // The window asks where to save, then the API writes the file a page at a time.
  const exportActivityCsv: Backend['exportActivityCsv'] = async (query) => {
    const path = await save({ defaultPath: activityCsvFileName(), filters: [{ name: 'CSV', extensions: ['csv'] }] });
    if (!path) return { kind: 'cancelled' };
    const saved = await invoke<CsvExportView>('export_log_csv', { query: { ...query, after: null, offset: null }, path });
    return { kind: 'saved', ...saved };
  };
  return backendFromInvoke(
    'tauri',
    invoke,
    (handler) => {
      let stopped = false;
      let unlisten: (() => void) | undefined;
      listen<DuetEvent>(TAURI_EVENT, (event) => handler(event.payload)).then(
        (fn) => {
          if (stopped) fn();
          else unlisten = fn;
        },
        (error: unknown) => console.error('duet: cannot listen for events', error),
      );
      return () => {
        stopped = true;
        unlisten?.();
      };
    },
    exportActivityCsv,
  );
}
