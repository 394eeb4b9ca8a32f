import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { ApiError } from '../bindings/ApiError';
import type { DuetEvent } from '../bindings/DuetEvent';
import type { LinkView } from '../bindings/LinkView';
import type { MapView } from '../bindings/MapView';

/** Everything the UI can ask of the Duet backend, whatever the transport. */
export interface Backend {
  /** Which transport is in use, for display only. */
  readonly transport: 'tauri' | 'http';
  link(): Promise<LinkView | null>;
  checkHealth(): Promise<LinkView>;
  maps(): Promise<MapView[]>;
  runMap(name: string): Promise<MapView>;
  pauseMap(name: string): Promise<MapView>;
  /** Newest first. */
  activity(limit: number): Promise<ActivityEntry[]>;
  /** Returns the unsubscribe function. */
  subscribe(handler: (event: DuetEvent) => void): () => void;
}

/** Generic command call shared by both transports. */
export type Invoke = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

export function backendFromInvoke(
  transport: Backend['transport'],
  invoke: Invoke,
  subscribe: Backend['subscribe'],
): Backend {
  return {
    transport,
    link: () => invoke<LinkView | null>('link'),
    checkHealth: () => invoke<LinkView>('check_health'),
    maps: () => invoke<MapView[]>('maps'),
    runMap: (name) => invoke<MapView>('run_map', { name }),
    pauseMap: (name) => invoke<MapView>('pause_map', { name }),
    activity: (limit) => invoke<ActivityEntry[]>('activity', { limit }),
    subscribe,
  };
}

export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Turns anything a transport rejected with into an ApiError. */
export function toApiError(value: unknown, fallbackCode = 'error'): ApiError {
  if (isApiError(value)) return { code: value.code, message: value.message };
  if (value instanceof Error) return { code: fallbackCode, message: value.message };
  if (typeof value === 'string') return { code: fallbackCode, message: value };
  return { code: fallbackCode, message: 'Unknown error' };
}
