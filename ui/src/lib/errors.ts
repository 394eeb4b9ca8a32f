import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { MapView } from '../bindings/MapView';
import type { QueuedChangeView } from '../bindings/QueuedChangeView';

/** Everything that went wrong on one map and is still worth a look. */
export interface ErrorGroup {
  map: string;
  title: string;
  /** Failed changes, newest capture first. */
  failed: QueuedChangeView[];
  /** How many failed changes the map reports (may exceed `failed` when the list was cut). */
  failedTotal: number;
  /** Parked changes, which a plain "retry all" would also queue again. */
  parked: number;
}

/** Only the changes the target refused. */
export function failedOnly(changes: readonly QueuedChangeView[]): QueuedChangeView[] {
  return changes.filter((c) => c.status === 'failed');
}

function newestCaptureFirst(a: QueuedChangeView, b: QueuedChangeView): number {
  const byTime = Date.parse(b.capturedAt) - Date.parse(a.capturedAt);
  return Number.isNaN(byTime) || byTime === 0 ? b.seq - a.seq : byTime;
}

/**
 * One group per map that has failed changes, in the order of `maps`; a map
 * whose queue is not loaded (yet) counts from its summary only. Maps without
 * failures are left out.
 */
export function buildErrorGroups(
  maps: readonly MapView[],
  queues: Readonly<Record<string, readonly QueuedChangeView[] | undefined>>,
): ErrorGroup[] {
  const groups: ErrorGroup[] = [];
  for (const map of maps) {
    const failed = failedOnly(queues[map.name] ?? []).sort(newestCaptureFirst);
    const failedTotal = Math.max(map.failed, failed.length);
    if (failedTotal === 0) continue;
    groups.push({ map: map.name, title: map.title, failed, failedTotal, parked: map.parked });
  }
  return groups;
}

/** Conflict losers from the activity log, newest first, deduplicated by id. */
export function conflictLosers(entries: readonly ActivityEntry[]): ActivityEntry[] {
  const byId = new Map<number, ActivityEntry>();
  for (const e of entries) if (e.status === 'conflict') byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

/** The losing change's values; undefined when none were stored with the entry. */
export function conflictPayload(entry: ActivityEntry): unknown {
  return entry.payload ?? undefined;
}

/** Total failed changes across groups. */
export function totalFailed(groups: readonly ErrorGroup[]): number {
  return groups.reduce((n, g) => n + g.failedTotal, 0);
}
