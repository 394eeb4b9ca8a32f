import { invoke as tauriInvoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { DuetEvent } from '../bindings/DuetEvent';
import { backendFromInvoke, toApiError, type Backend } from './types';

export const TAURI_EVENT = 'duet://event';

export function createTauriBackend(): Backend {
  return backendFromInvoke(
    'tauri',
    async <T>(command: string, args: Record<string, unknown> = {}) => {
      try {
        // The window has one command; the API's dispatcher routes by name, as over HTTP.
        return await tauriInvoke<T>('call', { command, args });
      } catch (error) {
        throw toApiError(error);
      }
    },
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
  );
}
