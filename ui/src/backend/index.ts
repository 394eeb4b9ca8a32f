import { createHttpBackend } from './http';
import { createTauriBackend } from './tauri';
import type { Backend } from './types';

export type { Backend } from './types';
export { toApiError, isApiError } from './types';

function chooseBackend(): Backend {
  if ('__TAURI_INTERNALS__' in window) return createTauriBackend();
  return createHttpBackend({
    fetch: window.fetch.bind(window),
    location: window.location,
    history: window.history,
    storage: window.sessionStorage,
    EventSource: window.EventSource,
    download: (url) => {
      const link = document.createElement('a');
      link.href = url;
      // The server names the file (Content-Disposition); `download` keeps the page where it is.
      link.download = '';
      document.body.appendChild(link);
      link.click();
      link.remove();
    },
  });
}

/** The one backend, chosen at startup. */
export const backend: Backend = chooseBackend();
