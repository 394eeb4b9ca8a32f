import type { ApiError } from '../bindings/ApiError';
import type { FieldChange } from '../bindings/FieldChange';
import type { ImportReport } from '../bindings/ImportReport';
import type { MapDiffView } from '../bindings/MapDiffView';
import type { PreviewOutcome } from '../bindings/PreviewOutcome';
import type { RowPreviewView } from '../bindings/RowPreviewView';
import type { TableMap } from '../bindings/TableMap';
import { fieldLabel } from './mapDraft';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  return isRecord(value) && typeof value.direction === 'string' ? fieldLabel(value as Parameters<typeof fieldLabel>[0]) : formatValue(value);
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

/** The target columns a preview shows: every column either write has, changed ones first. */
export function previewColumns(preview: RowPreviewView): string[] {
  const columns = new Set([...Object.keys(previewRow(preview.saved) ?? {}), ...Object.keys(previewRow(preview.edited) ?? {})]);
  const changed = preview.changedFields.filter((c) => columns.has(c));
  const rest = [...columns].filter((c) => !preview.changedFields.includes(c)).sort();
  return [...changed, ...rest];
}

/** "6 rows read (3 from finance and operations, 3 from Dataverse); the edit changes 3 of them." */
export function previewSummary(previews: readonly RowPreviewView[]): string {
  const sides = previewsBySide(previews);
  const rows = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;
  const changed = previews.filter((p) => p.changedFields.length > 0).length;
  const failed = previews.filter((p) => 'error' in p.edited).length;
  const parts = [
    `${rows(previews.length)} read (${sides.financeOperations.length} from finance and operations, ${sides.dataverse.length} from Dataverse)`,
    changed === 0 ? 'no write differs from the saved map' : `${rows(changed)} would be written differently`,
  ];
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

/** How a sample row is named: its key fields on its own side, else its position. */
export function sampleLabel(preview: RowPreviewView, definition: TableMap | null, index: number): string {
  const fields = definition?.key[preview.from] ?? [];
  const company = definition?.company?.financeOperationsField;
  const names = [...(preview.from === 'financeOperations' && company ? [company] : []), ...fields];
  const values = names.map((n) => preview.source[n]).filter((v) => v !== undefined && v !== null);
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
