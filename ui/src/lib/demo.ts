import type { DemoField } from '../bindings/DemoField';
import type { DemoRowView } from '../bindings/DemoRowView';
import type { Side } from '../bindings/Side';

/** A value as a cell shows it: text as it is, null as a dash, anything else as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** What a person typed, typed like the value it replaces: a number stays a number, empty is null. */
export function parseEdit(text: string, previous: unknown): unknown {
  if (text.trim() === '') return null;
  if (typeof previous === 'number') {
    const number = Number(text.trim());
    return Number.isFinite(number) ? number : text;
  }
  if (typeof previous === 'boolean') return text.trim().toLowerCase() === 'true';
  return text;
}

/** A cell of the row: a field mapping's line and one side. */
export function cellId(field: DemoField, side: Side): string {
  return `${side}:${side === 'financeOperations' ? field.financeOperations : field.dataverse}`;
}

function valueOf(field: DemoField, side: Side): unknown {
  return side === 'financeOperations' ? field.financeOperationsValue : field.dataverseValue;
}

/** The cells whose value differs between two reads of the same row. */
export function changedCells(before: DemoRowView | null, after: DemoRowView): Set<string> {
  const changed = new Set<string>();
  if (!before || before.key !== after.key) return changed;
  after.fields.forEach((field, index) => {
    const old = before.fields[index];
    if (!old) return;
    for (const side of ['financeOperations', 'dataverse'] as const) {
      if (JSON.stringify(valueOf(old, side)) !== JSON.stringify(valueOf(field, side))) changed.add(cellId(field, side));
    }
  });
  return changed;
}

/** A write waiting to be read on the other side. */
export interface PendingWrite {
  side: Side;
  /** The field mapping's line. */
  line: number;
  value: unknown;
  writtenAtMs: number;
}

/** Milliseconds from the write until the other side holds the value, when it does in `row`. */
export function arrival(pending: PendingWrite, row: DemoRowView): number | null {
  const field = row.fields[pending.line];
  if (!field) return null;
  const other: Side = pending.side === 'financeOperations' ? 'dataverse' : 'financeOperations';
  if (JSON.stringify(valueOf(field, other)) !== JSON.stringify(pending.value)) return null;
  return Math.max(0, row.readAtMs - pending.writtenAtMs);
}

export function sideTitle(side: Side): string {
  return side === 'financeOperations' ? 'Finance and operations' : 'Dataverse';
}

/** "Arrived in Dataverse in 1.8 s". */
export function latencyText(side: Side, ms: number): string {
  const other: Side = side === 'financeOperations' ? 'dataverse' : 'financeOperations';
  const name = other === 'dataverse' ? 'Dataverse' : 'finance and operations';
  return `Arrived in ${name} in ${(ms / 1000).toFixed(1)} s`;
}

function body(payload: unknown): Record<string, unknown> | null {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const record = payload as Record<string, unknown>;
  return record.sent && typeof record.sent === 'object' ? (record.sent as Record<string, unknown>) : record;
}

/**
 * What a history line wrote, as `column: value` pairs: the row written, or for a failure the
 * body sent; only the columns that differ from `older` (the line before it the same way),
 * when there is one. Annotations and bindings are left out; at most `limit` pairs.
 */
export function payloadSummary(payload: unknown, older: unknown = null, limit = 3): string {
  const values = body(payload);
  if (!values) return '';
  const before = body(older);
  const pairs = Object.entries(values)
    .filter(([column]) => !column.startsWith('@') && !column.includes('@odata'))
    .filter(([column, value]) => !before || JSON.stringify(before[column]) !== JSON.stringify(value))
    .map(([column, value]) => `${column}: ${cellText(value)}`);
  const shown = pairs.slice(0, limit).join(' · ');
  return pairs.length > limit ? `${shown} · …` : shown;
}

/** Each history line (newest first) with the payload of the older line written the same way. */
export function withOlder<T extends { direction: unknown; payload: unknown }>(lines: T[]): [T, unknown][] {
  return lines.map((line, index) => {
    const older = lines.slice(index + 1).find((other) => other.direction === line.direction && body(other.payload));
    return [line, older ? older.payload : null];
  });
}
