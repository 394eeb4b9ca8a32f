import type { EnvironmentKind } from '../bindings/EnvironmentKind';
import type { MapSource } from '../bindings/MapSource';
import type { MapView } from '../bindings/MapView';
import type { PlanStepChoice } from '../bindings/PlanStepChoice';
import type { ScenarioMap } from '../bindings/ScenarioMap';
import type { TemplateView } from '../bindings/TemplateView';

/** The demo map `duet serve --sandbox` runs; scenarios offer it beside the templates. */
export const DEMO_MAP = 'customers';

/** A map the wizard can choose: a stored map, or a standard template (stored ones win a name). */
export interface MapOption {
  name: string;
  title: string;
  source: MapSource;
  /** "CustomersV3 ↔ account", for search and display. */
  tables: string;
}

/** Stored maps first (by title), then the templates not stored yet; the demo map always offered. */
export function mapOptions(stored: readonly MapView[], templates: readonly TemplateView[]): MapOption[] {
  const options: MapOption[] = stored
    .map((m) => ({ name: m.name, title: m.title, source: 'stored' as const, tables: `${m.financeOperationsEntity} ↔ ${m.dataverseTable}` }))
    .sort((a, b) => a.title.localeCompare(b.title));
  const names = new Set(options.map((o) => o.name));
  if (!names.has(DEMO_MAP)) {
    options.push({ name: DEMO_MAP, title: 'Customers (demo map)', source: 'template', tables: 'CustomersV3 ↔ account' });
    names.add(DEMO_MAP);
  }
  for (const t of templates) {
    if (names.has(t.name)) continue;
    names.add(t.name);
    options.push({ name: t.name, title: t.title, source: 'template', tables: `${t.financeOperationsEntity} ↔ ${t.dataverseTable}` });
  }
  return options;
}

/** The options whose name, title or tables contain every word of `query` (case-insensitive). */
export function searchMapOptions(options: readonly MapOption[], query: string): MapOption[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...options];
  return options.filter((o) => {
    const text = `${o.name} ${o.title} ${o.tables}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** Chooses or drops one map, keeping the order they were chosen in. */
export function toggleMap(maps: readonly string[], name: string, on: boolean): string[] {
  if (on) return maps.includes(name) ? [...maps] : [...maps, name];
  return maps.filter((m) => m !== name);
}

/**
 * The admin's choices after changing one map's initial sync or master: the map's current
 * values (as the resolved list shows them) with the change, replacing an earlier choice.
 */
export function setChoice(
  choices: readonly PlanStepChoice[],
  current: Pick<ScenarioMap, 'name' | 'initialSync' | 'master'>,
  change: Partial<Pick<PlanStepChoice, 'initialSync' | 'master'>>,
): PlanStepChoice[] {
  const choice: PlanStepChoice = {
    map: current.name,
    initialSync: change.initialSync ?? current.initialSync,
    master: change.master ?? current.master,
  };
  const others = choices.filter((c) => c.map !== current.name);
  return [...others, choice];
}

/**
 * The resolved maps with the choices applied as the backend applies them: a map's own
 * choice, else initial sync on and the run's master. Lets the table follow a change at
 * once, before the backend answers again.
 */
export function withChoices(
  resolved: readonly ScenarioMap[],
  choices: readonly PlanStepChoice[],
  master: EnvironmentKind,
): ScenarioMap[] {
  return resolved.map((m) => {
    const choice = choices.find((c) => c.map === m.name);
    return { ...m, initialSync: choice ? choice.initialSync : true, master: choice ? choice.master : master };
  });
}

/** "looked up by customers-v3-contacts, vendors-v2" for a map added for others; empty for a chosen one. */
export function requiredByText(map: Pick<ScenarioMap, 'requiredBy'>): string {
  return map.requiredBy.length ? `looked up by ${map.requiredBy.join(', ')}` : '';
}

export function initialSyncLabel(on: boolean): string {
  return on ? 'Sync existing rows' : 'Skip, go live';
}
