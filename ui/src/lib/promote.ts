import type { ApiError } from '../bindings/ApiError';
import type { MapCompareStatus } from '../bindings/MapCompareStatus';
import type { MapComparisonView } from '../bindings/MapComparisonView';
import type { MapsComparison } from '../bindings/MapsComparison';
import type { PromotionOutcome } from '../bindings/PromotionOutcome';
import type { PromotionReport } from '../bindings/PromotionReport';
import type { RemoteDuet } from '../bindings/RemoteDuet';
import type { BadgeColor } from './labels';

const STATUS: Record<MapCompareStatus, { label: string; color: BadgeColor; hint: string }> = {
  added: { label: 'Added', color: 'success', hint: 'In the source only: promoting adds it, stopped.' },
  changed: { label: 'Changed', color: 'warning', hint: 'Promoting saves the source’s definition as a new version.' },
  unchanged: { label: 'Unchanged', color: 'informative', hint: 'The same in both.' },
  removed: { label: 'Only here', color: 'subtle', hint: 'Not in the source: promoting keeps it; a promotion never deletes a map.' },
};

export function statusLabel(status: MapCompareStatus): string {
  return STATUS[status].label;
}

export function statusColor(status: MapCompareStatus): BadgeColor {
  return STATUS[status].color;
}

export function statusHint(status: MapCompareStatus): string {
  return STATUS[status].hint;
}

/** Whether promoting can change the map: it is added or changed. */
export function isPromotable(map: Pick<MapComparisonView, 'status'>): boolean {
  return map.status === 'added' || map.status === 'changed';
}

/** The maps promoting would change, in the comparison's order: what is chosen at first. */
export function promotableNames(comparison: Pick<MapsComparison, 'maps'>): string[] {
  return comparison.maps.filter(isPromotable).map((m) => m.name);
}

/** Chooses or drops a map, keeping the comparison's order (lookups first). */
export function toggleChoice(comparison: Pick<MapsComparison, 'maps'>, chosen: readonly string[], name: string, on: boolean): string[] {
  return comparison.maps.filter((m) => (m.name === name ? on : chosen.includes(m.name)) && isPromotable(m)).map((m) => m.name);
}

export function promoteLabel(count: number): string {
  if (count === 0) return 'Nothing to promote';
  return count === 1 ? 'Promote 1 map' : `Promote ${count} maps`;
}

/** How many maps have each status, for the comparison's headline. */
export function comparisonCounts(comparison: Pick<MapsComparison, 'maps'>): Record<MapCompareStatus, number> {
  const counts: Record<MapCompareStatus, number> = { added: 0, changed: 0, unchanged: 0, removed: 0 };
  for (const map of comparison.maps) counts[map.status] += 1;
  return counts;
}

/** "2 added, 1 changed, 3 unchanged, 1 only here", leaving out statuses no map has. */
export function comparisonHeadline(comparison: Pick<MapsComparison, 'maps'>): string {
  const counts = comparisonCounts(comparison);
  const parts = (['added', 'changed', 'unchanged', 'removed'] as const)
    .filter((status) => counts[status] > 0)
    .map((status) => `${counts[status]} ${statusLabel(status).toLowerCase()}`);
  return parts.length > 0 ? parts.join(', ') : 'No maps on either side';
}

/** What differs in a changed map: "v3 → v4: 1 field, 2 properties". */
export function changeSummary(map: Pick<MapComparisonView, 'status' | 'hereVersion' | 'diff'>): string {
  if (map.status === 'added') return 'New map, added stopped';
  if (map.status === 'removed') return map.hereVersion === null ? 'Kept' : `v${map.hereVersion}, kept`;
  if (!map.diff) return map.hereVersion === null ? 'Same' : `v${map.hereVersion}`;
  const count = (n: number, one: string, many: string) => (n > 0 ? `${n} ${n === 1 ? one : many}` : null);
  const parts = [count(map.diff.fields.length, 'field', 'fields'), count(map.diff.properties.length, 'property', 'properties')].filter((part): part is string => part !== null);
  return `v${map.diff.from} → v${map.diff.to}: ${parts.join(', ')}`;
}

/**
 * Reads what a person pastes for another Duet: the DUET_UI_URL `duet serve` printed, with its
 * token. Only the shape is checked here; the backend asks the other Duet.
 */
export function parseRemoteUrl(text: string): { ok: true; remote: RemoteDuet } | { ok: false; error: ApiError } {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, error: { code: 'invalid_url', message: 'Paste the DUET_UI_URL the other Duet printed: http://127.0.0.1:PORT/?token=…' } };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, error: { code: 'invalid_url', message: `${url.protocol} is not an address of a Duet; it starts with http:// or https://` } };
  }
  if (!url.searchParams.get('token')) {
    return { ok: false, error: { code: 'invalid_url', message: 'The address has no access token: paste the whole DUET_UI_URL, with ?token=…' } };
  }
  return { ok: true, remote: { url: trimmed } };
}

/** One line for what a promotion did with a map. */
export function outcomeText(outcome: PromotionOutcome): string {
  switch (outcome.kind) {
    case 'added':
      return `Added as version ${outcome.version}, stopped`;
    case 'updated':
      return `Updated v${outcome.from} → v${outcome.to}${outcome.running ? '; the running map takes it at its next safe point' : ''}`;
    case 'unchanged':
      return 'Unchanged';
    case 'refused':
      return `Refused: ${outcome.message}`;
    case 'notApplied':
      return 'Not applied: another map of the promotion refused';
  }
}

export function outcomeColor(outcome: PromotionOutcome): BadgeColor {
  const colors: Record<PromotionOutcome['kind'], BadgeColor> = {
    added: 'success',
    updated: 'brand',
    unchanged: 'informative',
    refused: 'danger',
    notApplied: 'subtle',
  };
  return colors[outcome.kind];
}

/** Whether the map has a version the promotion saved, which its Versions tab can roll back. */
export function hasNewVersion(outcome: PromotionOutcome): boolean {
  return outcome.kind === 'added' || outcome.kind === 'updated';
}

export function reportSummary(report: PromotionReport): { intent: 'success' | 'error'; title: string } {
  const saved = report.maps.filter((m) => hasNewVersion(m.outcome)).length;
  if (!report.promoted) {
    const refused = report.maps.filter((m) => m.outcome.kind === 'refused').length;
    return { intent: 'error', title: `Nothing was promoted: ${refused === 1 ? '1 map refuses' : `${refused} maps refuse`} its new definition` };
  }
  return { intent: 'success', title: saved === 1 ? `Promoted 1 map from ${report.source}` : `Promoted ${saved} maps from ${report.source}` };
}
