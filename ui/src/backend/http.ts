import type { ApiError } from '../bindings/ApiError';
import type { DuetEvent } from '../bindings/DuetEvent';
import type { LogQuery } from '../bindings/LogQuery';
import { backendFromInvoke, isApiError, type Backend } from './types';

export const TOKEN_STORAGE_KEY = 'duet.token';

/** What the HTTP transport needs from the page; injectable for tests. */
export interface HttpEnv {
  fetch: typeof fetch;
  location: Pick<Location, 'href' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  EventSource?: new (url: string) => Pick<EventSource, 'onmessage' | 'onerror' | 'close'>;
  /** Starts the browser's download of a same-origin URL (a clicked link). */
  download?: (url: string) => void;
}

/**
 * The URL of `GET /api/logs.csv` for the view `query` selects: its filters as query
 * parameters (the cursor and offset left out, since an export is the whole view) and the
 * token, because a download link cannot send an Authorization header.
 */
export function logCsvUrl(query: LogQuery, token: string | null): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (name === 'after' || name === 'offset' || value === null || value === undefined || value === '') continue;
    params.set(name, String(value));
  }
  if (token) params.set('token', token);
  return `/api/logs.csv?${params.toString()}`;
}

/**
 * Reads the session token: a `?token=` in the address bar wins (and is then
 * removed from it and kept in sessionStorage), else the stored one.
 */
export function takeToken(env: Pick<HttpEnv, 'location' | 'history' | 'storage'>): string | null {
  const url = new URL(env.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    env.storage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    const rest = url.searchParams.toString();
    env.history.replaceState(env.history.state, '', `${url.pathname}${rest ? `?${rest}` : ''}${url.hash}`);
    return fromUrl;
  }
  return env.storage.getItem(TOKEN_STORAGE_KEY);
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (isApiError(body)) return { code: body.code, message: body.message };
  } catch {
    // not JSON; fall through
  }
  return {
    code: `http${response.status}`,
    message: text.trim() || response.statusText || `HTTP ${response.status}`,
  };
}

export function createHttpBackend(env: HttpEnv): Backend {
  const token = takeToken(env);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;

  const invoke = async <T>(command: string, args: Record<string, unknown> = {}): Promise<T> => {
    let response: Response;
    try {
      response = await env.fetch(`/api/${command}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(args),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw { code: 'network', message: `Cannot reach the Duet service: ${message}` } satisfies ApiError;
    }
    if (!response.ok) throw await errorFromResponse(response);
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  };

  const subscribe = (handler: (event: DuetEvent) => void) => {
    if (!env.EventSource) return () => {};
    const source = new env.EventSource(`/api/events?token=${encodeURIComponent(token ?? '')}`);
    source.onmessage = (message: MessageEvent) => {
      try {
        handler(JSON.parse(String(message.data)) as DuetEvent);
      } catch (error) {
        console.error('duet: bad event', error);
      }
    };
    // EventSource reconnects by itself; nothing else to do on error.
    source.onerror = () => {};
    return () => source.close();
  };

  const exportActivityCsv: Backend['exportActivityCsv'] = (query) => {
    // The server writes the file a page at a time as the browser receives it.
    env.download?.(logCsvUrl(query, token));
    return Promise.resolve({ kind: 'download' });
  };

  return backendFromInvoke('http', invoke, subscribe, exportActivityCsv);
}
