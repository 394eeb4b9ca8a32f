import type { ActivityEntry } from '../bindings/ActivityEntry';

export const ACTIVITY_CAP = 2000;

/**
 * Merges entries into a newest-first list: deduplicated by id (a later copy
 * replaces an earlier one), ordered by id descending, capped.
 */
export function mergeActivity(
  current: readonly ActivityEntry[],
  incoming: readonly ActivityEntry[],
  cap: number = ACTIVITY_CAP,
): ActivityEntry[] {
  if (incoming.length === 0) return current.length > cap ? current.slice(0, cap) : (current as ActivityEntry[]);
  // Fast path for the live stream: one entry newer than everything we hold.
  if (incoming.length === 1 && (current.length === 0 || incoming[0].id > current[0].id)) {
    return [incoming[0], ...current.slice(0, cap - 1)];
  }
  const byId = new Map<number, ActivityEntry>();
  for (const entry of current) byId.set(entry.id, entry);
  for (const entry of incoming) byId.set(entry.id, entry);
  const merged = [...byId.values()].sort((a, b) => b.id - a.id);
  return merged.length > cap ? merged.slice(0, cap) : merged;
}

/** Case-insensitive match on key or message; an empty filter matches all. */
export function filterActivity(entries: readonly ActivityEntry[], filter: string): readonly ActivityEntry[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return entries;
  return entries.filter(
    (e) => (e.key ?? '').toLowerCase().includes(needle) || e.message.toLowerCase().includes(needle),
  );
}
