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
