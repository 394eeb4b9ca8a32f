import type { MapView } from '../bindings/MapView';

/** Replaces the map with the same name, or appends it when new. */
export function upsertMap(maps: readonly MapView[], map: MapView): MapView[] {
  const index = maps.findIndex((m) => m.name === map.name);
  if (index === -1) return [...maps, map];
  const next = maps.slice();
  next[index] = map;
  return next;
}
