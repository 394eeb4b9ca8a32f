import type { Column } from '../bindings/Column';
import type { FieldDirection } from '../bindings/FieldDirection';
import type { FieldMapping } from '../bindings/FieldMapping';
import type { MapSchemaView } from '../bindings/MapSchemaView';
import type { NullPolicy } from '../bindings/NullPolicy';
import type { TableMap } from '../bindings/TableMap';
import type { Transform } from '../bindings/Transform';
import { transformSummary, valueText } from './transforms';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOptionalText(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'string';
}

/** The definition of a `MapVersionView` as a `TableMap`, or null when it is not one. */
export function asTableMap(value: unknown): TableMap | null {
  if (!isRecord(value) || typeof value.name !== 'string' || !Array.isArray(value.fields) || !isRecord(value.key)) return null;
  const fieldsOk = value.fields.every(
    (f) => isRecord(f) && typeof f.direction === 'string' && isOptionalText(f.financeOperations) && isOptionalText(f.dataverse),
  );
  if (!fieldsOk) return null;
  const fields = (value.fields as Record<string, unknown>[]).map((f) => ({
    ...f,
    financeOperations: f.financeOperations ?? null,
    dataverse: f.dataverse ?? null,
    transform: f.transform ?? null,
    note: f.note ?? null,
  }));
  return { ...(value as unknown as TableMap), title: typeof value.title === 'string' ? value.title : value.name, fields: fields as FieldMapping[] };
}

/**
 * Deep equality of two JSON values where an absent property equals a null one (the backend
 * reads both as "none"), and property order does not matter.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) return b === undefined || b === null;
  if (b === undefined || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue(a[k], b[k]));
  }
  return a === b;
}

export function isDirty(saved: TableMap, draft: TableMap): boolean {
  return !sameValue(saved, draft);
}

/** The six dual-write directions, by the name a definition stores. */
export const FIELD_DIRECTIONS: readonly { name: FieldDirection; symbol: string; label: string }[] = [
  { name: 'twoWay', symbol: '=', label: 'Two-way' },
  { name: 'twoWayTransform', symbol: '><', label: 'Two-way with transform' },
  { name: 'toDataverse', symbol: '>', label: 'To Dataverse' },
  { name: 'toFinanceOperations', symbol: '<', label: 'To finance and operations' },
  { name: 'defaultToDataverse', symbol: '>>', label: 'Default to Dataverse' },
  { name: 'defaultToFinanceOperations', symbol: '<<', label: 'Default to finance and operations' },
];

/** A definition may spell a direction by name or by symbol; answers the name. */
export function directionName(direction: string): FieldDirection | null {
  return FIELD_DIRECTIONS.find((d) => d.name === direction || d.symbol === direction.trim())?.name ?? null;
}

export function directionSymbol(direction: string): string {
  return FIELD_DIRECTIONS.find((d) => d.name === directionName(direction))?.symbol ?? direction;
}

export function directionText(direction: string): string {
  return FIELD_DIRECTIONS.find((d) => d.name === directionName(direction))?.label ?? direction;
}

/** "CreditLimit = creditlimit"; a side a field does not read is shown as "—". */
export function fieldLabel(field: { financeOperations?: string | null; direction: string; dataverse?: string | null }): string {
  return `${field.financeOperations || '—'} ${directionSymbol(field.direction)} ${field.dataverse || '—'}`;
}

export function newField(): FieldMapping {
  return { financeOperations: null, direction: 'twoWay', dataverse: null, transform: null, note: null };
}

export function addField(map: TableMap, field: FieldMapping = newField()): TableMap {
  return { ...map, fields: [...map.fields, field] };
}

export function removeField(map: TableMap, index: number): TableMap {
  return { ...map, fields: map.fields.filter((_, i) => i !== index) };
}

/** Changes one field; a property set to undefined is dropped, as the stored JSON omits it. */
export function updateField(map: TableMap, index: number, patch: Partial<FieldMapping>): TableMap {
  const fields = map.fields.map((field, i) => {
    if (i !== index) return field;
    const next: Record<string, unknown> = { ...field, ...patch };
    for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
    return next as FieldMapping;
  });
  return { ...map, fields };
}

/** Sets a field's transform; a value map needs the "two-way with transform" direction when it flows both ways. */
export function setTransform(map: TableMap, index: number, transform: Transform | null): TableMap {
  const field = map.fields[index];
  if (!field) return map;
  const direction = transform?.kind === 'valueMap' && field.direction === 'twoWay' ? 'twoWayTransform' : field.direction;
  return updateField(map, index, { transform, direction });
}

/** Sets what a field writes for a null source; "keep" is the default and is stored as none. */
export function setNullPolicy(map: TableMap, index: number, policy: NullPolicy | null): TableMap {
  return updateField(map, index, { nullPolicy: policy && policy.kind !== 'keep' ? policy : undefined });
}

/** What changed from the saved map to the draft, one line each, and their count. */
export interface DraftChanges {
  count: number;
  lines: string[];
  /** Per draft field: unchanged, changed (same columns, other settings) or added. */
  fields: ('same' | 'changed' | 'added')[];
}

function identity(field: FieldMapping): string {
  return `${field.financeOperations ?? ''}|${field.dataverse ?? ''}`;
}

function fieldName(field: FieldMapping, index: number): string {
  return field.financeOperations || field.dataverse || `field ${index + 1}`;
}

/**
 * Matches the draft's fields to the saved ones: first identical fields, then fields with the
 * same two columns (changed); what is left is added (draft) or removed (saved).
 */
export function draftChanges(saved: TableMap, draft: TableMap): DraftChanges {
  const used = new Set<number>();
  const fields: DraftChanges['fields'] = draft.fields.map(() => 'added');
  const match: (number | null)[] = draft.fields.map(() => null);
  draft.fields.forEach((field, i) => {
    const j = saved.fields.findIndex((s, k) => !used.has(k) && sameValue(s, field));
    if (j >= 0) {
      used.add(j);
      fields[i] = 'same';
    }
  });
  draft.fields.forEach((field, i) => {
    if (fields[i] === 'same') return;
    const j = saved.fields.findIndex((s, k) => !used.has(k) && identity(s) === identity(field));
    if (j >= 0) {
      used.add(j);
      fields[i] = 'changed';
      match[i] = j;
    }
  });
  const lines: string[] = [];
  const keys = new Set([...Object.keys(saved), ...Object.keys(draft)].filter((k) => k !== 'fields'));
  for (const key of [...keys].sort()) {
    if (!sameValue((saved as Record<string, unknown>)[key], (draft as Record<string, unknown>)[key])) lines.push(`Map ${key} changed`);
  }
  draft.fields.forEach((field, i) => {
    const j = match[i];
    if (fields[i] === 'added') lines.push(`Added ${fieldLabel(field)}`);
    if (fields[i] === 'changed' && j !== null) lines.push(`${fieldName(field, i)}: ${fieldDifferences(saved.fields[j], field).join(', ')}`);
  });
  saved.fields.forEach((field, k) => {
    if (!used.has(k)) lines.push(`Removed ${fieldLabel(field)}`);
  });
  return { count: lines.length, lines, fields };
}

function fieldDifferences(before: FieldMapping, after: FieldMapping): string[] {
  const parts: string[] = [];
  if (before.direction !== after.direction) parts.push(`${directionSymbol(before.direction)} → ${directionSymbol(after.direction)}`);
  if (!sameValue(before.transform, after.transform)) parts.push(`transform ${transformSummary(before.transform)} → ${transformSummary(after.transform)}`);
  if (!sameValue(before.nullPolicy, after.nullPolicy)) parts.push('null policy changed');
  if (!sameValue(before.lookup, after.lookup)) parts.push('lookup changed');
  if (!sameValue(before.note, after.note)) parts.push('note changed');
  return parts.length > 0 ? parts : ['changed'];
}

/** One choice of an enum column: its value (an F&O member name, a Dataverse option value as text) and label. */
export interface EnumOption {
  value: string;
  label: string;
}

export function enumOptions(column: Column | undefined): EnumOption[] {
  if (!column) return [];
  return column.members.map((value, i) => ({ value, label: column.labels[i] || value }));
}

/** The column of one side's schema with that name, if the schema has it. */
export function findColumn(schema: MapSchemaView | null, side: 'financeOperations' | 'dataverse', name: string | null): Column | undefined {
  if (!schema || !name) return undefined;
  return schema[side].columns.find((c) => c.name === name);
}

/** Dataverse stores option values as numbers; the schema lists them as text. */
export function optionValue(text: string): unknown {
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

export type Pairs = [string, unknown][];

/**
 * Pairs `member` with the option whose value text is `option` (unpairing any other member
 * from that option, as an option may be paired once), or unpairs `member` when `option` is null.
 */
export function setPair(pairs: Pairs, member: string, option: string | null): Pairs {
  const rest = pairs.filter(([m, v]) => m === member || option === null || valueText(v) !== option);
  if (option === null) return rest.filter(([m]) => m !== member);
  const pair: [string, unknown] = [member, optionValue(option)];
  return rest.some(([m]) => m === member) ? rest.map((p) => (p[0] === member ? pair : p)) : [...rest, pair];
}

/**
 * Completes `pairs`: every member not yet paired whose name matches an unpaired option's label
 * (or value) case-insensitively is paired with it. Existing pairs are kept as they are.
 */
export function autoPair(pairs: Pairs, members: readonly string[], options: readonly EnumOption[]): Pairs {
  const next: Pairs = [...pairs];
  const pairedMembers = new Set(pairs.map(([m]) => m));
  const pairedOptions = new Set(pairs.map(([, v]) => valueText(v)));
  for (const member of members) {
    if (pairedMembers.has(member)) continue;
    const wanted = member.toLowerCase();
    const option = options.find(
      (o) => !pairedOptions.has(o.value) && (o.label.toLowerCase() === wanted || o.value.toLowerCase() === wanted),
    );
    if (!option) continue;
    next.push([member, optionValue(option.value)]);
    pairedMembers.add(member);
    pairedOptions.add(option.value);
  }
  return next;
}

/** The members and options no pair uses yet. */
export function unpaired(pairs: Pairs, members: readonly string[], options: readonly EnumOption[]): { members: string[]; options: EnumOption[] } {
  const pairedMembers = new Set(pairs.map(([m]) => m));
  const pairedOptions = new Set(pairs.map(([, v]) => valueText(v)));
  return {
    members: members.filter((m) => !pairedMembers.has(m)),
    options: options.filter((o) => !pairedOptions.has(o.value)),
  };
}

/** The option a member is paired with, as the option's value text, or null. */
export function pairedOption(pairs: Pairs, member: string): string | null {
  const pair = pairs.find(([m]) => m === member);
  return pair ? valueText(pair[1]) : null;
}

/**
 * The rows of a value-map editor: every member the schema lists, then members only the
 * pairs name (the schema may be stale or unread), each with its paired option.
 */
export function valueMapRows(pairs: Pairs, members: readonly string[]): { member: string; option: string | null; known: boolean }[] {
  const extra = pairs.map(([m]) => m).filter((m) => !members.includes(m));
  return [
    ...members.map((member) => ({ member, option: pairedOption(pairs, member), known: true })),
    ...extra.map((member) => ({ member, option: pairedOption(pairs, member), known: false })),
  ];
}

/**
 * The columns whose names contain `query` (case-insensitive), names that start with it first,
 * at most `limit` of them: a table can have hundreds, and a list is read, not scrolled.
 */
export function matchColumns(columns: readonly Column[], query: string, limit: number): { shown: Column[]; more: number } {
  const wanted = query.trim().toLowerCase();
  const hits = columns.filter((c) => c.name.toLowerCase().includes(wanted));
  const starts = hits.filter((c) => c.name.toLowerCase().startsWith(wanted));
  const rest = hits.filter((c) => !c.name.toLowerCase().startsWith(wanted));
  const ordered = [...starts, ...rest];
  return { shown: ordered.slice(0, limit), more: Math.max(0, ordered.length - limit) };
}
