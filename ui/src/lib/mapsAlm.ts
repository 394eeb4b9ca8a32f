import type { ApiError } from '../bindings/ApiError';
import type { FieldChange } from '../bindings/FieldChange';
import type { ImportReport } from '../bindings/ImportReport';
import type { MapDiffView } from '../bindings/MapDiffView';
import type { PreviewOutcome } from '../bindings/PreviewOutcome';
import type { RowPreviewView } from '../bindings/RowPreviewView';

/**
 * A stored map definition as the UI reads it. Only the properties the UI edits are typed;
 * every other property (key, company, transforms, lookups…) is kept untouched so a save
 * writes back exactly what was read apart from the edit.
 */
export interface FieldDefinition {
  financeOperations: string | null;
  direction: string;
  dataverse: string | null;
  note?: string | null;
  [property: string]: unknown;
}

export interface MapDefinition {
  name: string;
  title: string;
  fields: FieldDefinition[];
  [property: string]: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isField(value: unknown): value is FieldDefinition {
  return (
    isRecord(value) &&
    typeof value.direction === 'string' &&
    (value.financeOperations === null || value.financeOperations === undefined || typeof value.financeOperations === 'string') &&
    (value.dataverse === null || value.dataverse === undefined || typeof value.dataverse === 'string')
  );
}

/** The definition of a `MapVersionView`, or null when it is not a map. */
export function asMapDefinition(value: unknown): MapDefinition | null {
  if (!isRecord(value) || typeof value.name !== 'string' || !Array.isArray(value.fields)) return null;
  if (!value.fields.every(isField)) return null;
  const fields = value.fields.map((f) => ({ ...f, financeOperations: f.financeOperations ?? null, dataverse: f.dataverse ?? null }));
  return { ...value, name: value.name, title: typeof value.title === 'string' ? value.title : value.name, fields };
}

/** The six dual-write directions, by the name a definition stores. */
export const FIELD_DIRECTIONS = [
  { name: 'twoWay', symbol: '=', label: 'Two-way' },
  { name: 'twoWayTransform', symbol: '><', label: 'Two-way with value map' },
  { name: 'toDataverse', symbol: '>', label: 'To Dataverse' },
  { name: 'toFinanceOperations', symbol: '<', label: 'To finance and operations' },
  { name: 'defaultToDataverse', symbol: '>>', label: 'Default to Dataverse' },
  { name: 'defaultToFinanceOperations', symbol: '<<', label: 'Default to finance and operations' },
] as const;

export type FieldDirectionName = (typeof FIELD_DIRECTIONS)[number]['name'];

/** A definition may spell a direction by name or by symbol; answers the name. */
export function directionName(direction: string): FieldDirectionName | null {
  const found = FIELD_DIRECTIONS.find((d) => d.name === direction || d.symbol === direction.trim());
  return found ? found.name : null;
}

export function directionSymbol(direction: string): string {
  return FIELD_DIRECTIONS.find((d) => d.name === directionName(direction))?.symbol ?? direction;
}

export function directionText(direction: string): string {
  return FIELD_DIRECTIONS.find((d) => d.name === directionName(direction))?.label ?? direction;
}

/** "CreditLimit = creditlimit"; a side a field does not read is shown as "—". */
export function fieldLabel(field: Pick<FieldDefinition, 'financeOperations' | 'direction' | 'dataverse'>): string {
  return `${field.financeOperations ?? '—'} ${directionSymbol(field.direction)} ${field.dataverse ?? '—'}`;
}

/** Unsaved changes to one field, by its index in the saved definition. */
export interface FieldEdit {
  direction?: FieldDirectionName;
  disabled?: boolean;
}

export type FieldEdits = Readonly<Record<number, FieldEdit>>;

function withEdit(edits: FieldEdits, index: number, edit: FieldEdit): FieldEdits {
  const next: Record<number, FieldEdit> = { ...edits };
  if (edit.direction === undefined && !edit.disabled) delete next[index];
  else next[index] = edit;
  return next;
}

/** Sets a field's direction; choosing the saved direction again drops that part of the edit. */
export function setFieldDirection(
  edits: FieldEdits,
  index: number,
  saved: FieldDefinition,
  direction: FieldDirectionName,
): FieldEdits {
  const current = edits[index] ?? {};
  const changed = directionName(saved.direction) === direction ? undefined : direction;
  return withEdit(edits, index, { ...current, direction: changed });
}

/** Enables or disables a field; a disabled field is left out of the saved map. */
export function setFieldEnabled(edits: FieldEdits, index: number, enabled: boolean): FieldEdits {
  const current = edits[index] ?? {};
  return withEdit(edits, index, { ...current, disabled: enabled ? undefined : true });
}

/** The number of fields an edit touches. */
export function editCount(edits: FieldEdits): number {
  return Object.keys(edits).length;
}

/** The field as the edit leaves it, or null when the edit disables it. */
export function editedField(field: FieldDefinition, edit: FieldEdit | undefined): FieldDefinition | null {
  if (edit?.disabled) return null;
  return edit?.direction ? { ...field, direction: edit.direction } : field;
}

/** The definition with the edit applied: directions changed, disabled fields left out. */
export function applyEdits(definition: MapDefinition, edits: FieldEdits): MapDefinition {
  const fields = definition.fields.flatMap((field, index) => {
    const edited = editedField(field, edits[index]);
    return edited ? [edited] : [];
  });
  return { ...definition, fields };
}

/** One line per edited field, for the save dialog: "CreditLimit: = → >", "SalesMemo: turned off (…)". */
export function describeEdits(definition: MapDefinition, edits: FieldEdits): string[] {
  return Object.entries(edits)
    .map(([key, edit]) => [Number(key), edit] as const)
    .sort(([a], [b]) => a - b)
    .flatMap(([index, edit]) => {
      const field = definition.fields[index];
      if (!field) return [];
      const name = field.financeOperations ?? field.dataverse ?? `field ${index + 1}`;
      if (edit.disabled) return [`${name}: turned off (left out of the saved map)`];
      if (edit.direction) return [`${name}: ${directionSymbol(field.direction)} → ${directionSymbol(edit.direction)}`];
      return [];
    });
}

/** Picks a version for the diff: at most two; a third pick replaces the older of the two picks. */
export function toggleVersionPick(picked: readonly number[], version: number): number[] {
  if (picked.includes(version)) return picked.filter((v) => v !== version);
  return [...picked, version].slice(-2);
}

/** The two picked versions, older first, or null until two are picked. */
export function diffPair(picked: readonly number[]): { from: number; to: number } | null {
  if (picked.length !== 2) return null;
  const [a, b] = picked;
  return { from: Math.min(a, b), to: Math.max(a, b) };
}

/** Compact text for a JSON value in a table cell; "—" for none. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A field's one-line summary from its JSON (a diff's before/after), or the JSON. */
function summarize(value: unknown): string {
  return isField(value) ? fieldLabel({ ...value, financeOperations: value.financeOperations ?? null, dataverse: value.dataverse ?? null }) : formatValue(value);
}

/** One line of the diff table. */
export interface DiffRow {
  key: string;
  change: FieldChange;
  /** The field (by its finance and operations name) or "Map" for the map's own properties. */
  subject: string;
  path: string;
  before: string;
  after: string;
}

function changeOf(before: unknown, after: unknown): FieldChange {
  if (before === null || before === undefined) return 'added';
  if (after === null || after === undefined) return 'removed';
  return 'changed';
}

/** The diff as table rows: the map's properties first, then each field, one row per changed value. */
export function diffRows(diff: MapDiffView): DiffRow[] {
  const properties = diff.properties.map<DiffRow>((p) => ({
    key: `map:${p.path}`,
    change: changeOf(p.before, p.after),
    subject: 'Map',
    path: p.path,
    before: formatValue(p.before),
    after: formatValue(p.after),
  }));
  const fields = diff.fields.flatMap<DiffRow>((f) => {
    if (f.change !== 'changed' || f.changes.length === 0) {
      return [{ key: `field:${f.path}:${f.field}`, change: f.change, subject: f.field, path: f.path, before: summarize(f.before), after: summarize(f.after) }];
    }
    return f.changes.map((c) => ({
      key: `field:${f.field}:${c.path}`,
      change: 'changed' as const,
      subject: f.field,
      path: c.path,
      before: formatValue(c.before),
      after: formatValue(c.after),
    }));
  });
  return [...properties, ...fields];
}

export function changeLabel(change: FieldChange): string {
  return change === 'added' ? 'Added' : change === 'removed' ? 'Removed' : 'Changed';
}

export function previewRow(outcome: PreviewOutcome | null): Record<string, unknown> | null {
  return outcome && 'row' in outcome ? outcome.row : null;
}

export function previewError(outcome: PreviewOutcome | null): string | null {
  return outcome && 'error' in outcome ? outcome.error : null;
}

/** Why a row is not synced at all (a source filter or the company scope leaves it out), or null. */
export function previewDropped(outcome: PreviewOutcome | null): string | null {
  return outcome && 'dropped' in outcome ? outcome.dropped : null;
}

/**
 * What the edit does with a sample row: leaves it out (`dropped`), cannot write it (`failed`),
 * writes it differently from the saved map or starts syncing a row the saved map left out
 * (`changed`), or writes it as before (`same`).
 */
export type PreviewKind = 'dropped' | 'failed' | 'changed' | 'same';

export function previewKind(preview: RowPreviewView): PreviewKind {
  if (previewDropped(preview.edited) !== null) return 'dropped';
  if (previewError(preview.edited) !== null) return 'failed';
  if (preview.changedFields.length > 0 || (preview.saved !== null && previewRow(preview.saved) === null)) return 'changed';
  return 'same';
}

/** The target columns a preview shows: every column either write has, changed ones first. */
export function previewColumns(preview: RowPreviewView): string[] {
  const columns = new Set([...Object.keys(previewRow(preview.saved) ?? {}), ...Object.keys(previewRow(preview.edited) ?? {})]);
  const changed = preview.changedFields.filter((c) => columns.has(c));
  const rest = [...columns].filter((c) => !preview.changedFields.includes(c)).sort();
  return [...changed, ...rest];
}

/** "6 rows read (3 from finance and operations, 3 from Dataverse); the edit changes 3 of them; 1 row is dropped." */
export function previewSummary(previews: readonly RowPreviewView[]): string {
  const sides = previewsBySide(previews);
  const rows = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;
  const count = (kind: PreviewKind) => previews.filter((p) => previewKind(p) === kind).length;
  const changed = count('changed');
  const failed = count('failed');
  const dropped = count('dropped');
  const parts = [
    `${rows(previews.length)} read (${sides.financeOperations.length} from finance and operations, ${sides.dataverse.length} from Dataverse)`,
    changed === 0 ? 'no write differs from the saved map' : `${rows(changed)} would be written differently`,
  ];
  if (dropped > 0) parts.push(`${rows(dropped)} not synced (dropped by a filter or the company scope)`);
  if (failed > 0) parts.push(`${rows(failed)} cannot be written`);
  return `${parts.join('; ')}.`;
}

/** The samples read from each side, in the order the backend answered. */
export function previewsBySide(previews: readonly RowPreviewView[]): Record<RowPreviewView['from'], RowPreviewView[]> {
  return {
    financeOperations: previews.filter((p) => p.from === 'financeOperations'),
    dataverse: previews.filter((p) => p.from === 'dataverse'),
  };
}

/**
 * How a sample row is named: the key the backend built for it ("USMF | C1"), else its key
 * fields on its own side, else its position.
 */
export function sampleLabel(preview: RowPreviewView, definition: object | null, index: number): string {
  if (preview.key) return preview.key.split('|').join(' | ');
  const map: Record<string, unknown> = isRecord(definition) ? definition : {};
  const key = isRecord(map.key) ? map.key : null;
  const fields = key && Array.isArray(key[preview.from]) ? (key[preview.from] as unknown[]) : [];
  const company = isRecord(map.company) ? map.company.financeOperationsField : undefined;
  const names = [...(preview.from === 'financeOperations' && typeof company === 'string' ? [company] : []), ...fields];
  const values = names.map((n) => (typeof n === 'string' ? preview.source[n] : undefined)).filter((v) => v !== undefined && v !== null);
  return values.length > 0 ? values.map(formatValue).join(' | ') : `Row ${index + 1}`;
}

/** "duet-maps-customers-2026-11-23.json"; several maps are counted rather than listed. */
export function packageFileName(names: readonly string[], now: Date): string {
  const day = now.toISOString().slice(0, 10);
  const what = names.length === 1 ? names[0].replace(/[^A-Za-z0-9_-]+/g, '-') : `${names.length}-maps`;
  return `duet-maps-${what}-${day}.json`;
}

/** Reads a pasted or chosen package; JSON that does not parse is an `invalid_json` error. */
export function parsePackageText(text: string): { ok: true; value: unknown } | { ok: false; error: ApiError } {
  if (!text.trim()) return { ok: false, error: { code: 'invalid_json', message: 'Paste a package or choose a file first.' } };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { code: 'invalid_json', message: `The package is not JSON: ${message}` } };
  }
}

/** The headline of an import report. */
export function importSummary(report: ImportReport): { intent: 'success' | 'warning' | 'error'; title: string } {
  if (!report.imported) {
    const n = report.problems.length;
    return { intent: 'error', title: `Nothing was imported: ${n} ${n === 1 ? 'problem' : 'problems'}` };
  }
  const parts = [
    report.added.length ? `${report.added.length} added` : '',
    report.replaced.length ? `${report.replaced.length} replaced` : '',
    report.unchanged.length ? `${report.unchanged.length} unchanged` : '',
  ].filter(Boolean);
  const title = `Imported: ${parts.length ? parts.join(', ') : 'no maps'}`;
  return { intent: report.problems.length ? 'warning' : 'success', title };
}
