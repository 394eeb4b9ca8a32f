import type { MapState } from '../bindings/MapState';
import type { SyncProgress } from '../bindings/SyncProgress';
import type { MapView } from '../bindings/MapView';

/** Replaces the map with the same name, or appends it when new. */
export function upsertMap(maps: readonly MapView[], map: MapView): MapView[] {
  const index = maps.findIndex((m) => m.name === map.name);
  if (index === -1) return [...maps, map];
  // An action's answer can arrive after the event of a later change: an older view of the
  // map's state does not replace a newer one.
  if (map.updatedAt < maps[index].updatedAt) return maps.slice();
  const next = maps.slice();
  next[index] = map;
  return next;
}

/**
 * A freshly loaded list of maps, keeping for each map the view already shown when that one
 * is newer: a list requested before a change can arrive after the change's event.
 */
export function mergeMaps(current: readonly MapView[] | null, loaded: readonly MapView[]): MapView[] {
  if (!current) return loaded.slice();
  const shown = new Map(current.map((m) => [m.name, m]));
  return loaded.map((map) => {
    const mine = shown.get(map.name);
    return mine && map.updatedAt < mine.updatedAt ? mine : map;
  });
}

/**
 * Whether a map's row changes without anyone acting: a paused map keeps capturing into its
 * queue, and a map on its way to Running (or failing there) moves on by itself.
 */
export function changesByItself(state: MapState): boolean {
  return state === 'paused' || state === 'initializing' || state === 'resuming' || state === 'error';
}

/** The selection with `name` turned on or off, in the order of `names` (the table's). */
export function toggleSelection(names: readonly string[], selected: readonly string[], name: string, on: boolean): string[] {
  return names.filter((n) => (n === name ? on : selected.includes(n)));
}

/** The select-all checkbox: checked when every map is selected, mixed when some are. */
export function selectAllState(selected: number, total: number): boolean | 'mixed' {
  if (total > 0 && selected === total) return true;
  return selected > 0 ? 'mixed' : false;
}

/** "Initial sync: 12,000 of 100,000 rows · 3,400 rows/s · about 26 s left". */
export function progressLabel(progress: SyncProgress): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const parts = [
    progress.total === null
      ? `Initial sync: ${count(progress.done)} rows read`
      : `Initial sync: ${count(progress.done)} of ${count(progress.total)} rows`,
  ];
  if (progress.rowsPerSecond > 0) parts.push(`${count(Math.round(progress.rowsPerSecond))} rows/s`);
  if (progress.etaSeconds !== null) parts.push(`about ${formatSeconds(progress.etaSeconds)} left`);
  return parts.join(' · ');
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}
