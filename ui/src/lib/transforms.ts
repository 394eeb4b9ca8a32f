import type { Transform } from '../bindings/Transform';

/** A new transform of `kind` with its defaults. */
export function newTransform(kind: Transform['kind']): Transform {
  switch (kind) {
    case 'default':
      return { kind, value: '' };
    case 'constant':
      return { kind, value: '' };
    case 'valueMap':
      return { kind, pairs: [] };
    case 'concatenate':
      return { kind, from: 'financeOperations', fields: [], separator: ' ', split: null };
    case 'case':
      return { kind, case: 'upper' };
    case 'trim':
      return { kind };
    case 'numberFormat':
      return { kind, decimals: 2, rounding: 'halfAwayFromZero' };
    case 'dateFormat':
      return { kind, financeOperations: 'date', dataverse: 'dateTime', nullDate: false };
    case 'lookupByName':
      return { kind, targetMap: '', nameColumn: '' };
  }
}

export const TRANSFORM_KINDS: readonly { kind: Transform['kind']; label: string }[] = [
  { kind: 'valueMap', label: 'Value map' },
  { kind: 'default', label: 'Default value' },
  { kind: 'constant', label: 'Constant' },
  { kind: 'concatenate', label: 'Concatenate' },
  { kind: 'case', label: 'Letter case' },
  { kind: 'trim', label: 'Trim' },
  { kind: 'numberFormat', label: 'Number format' },
  { kind: 'dateFormat', label: 'Date format' },
  { kind: 'lookupByName', label: 'Lookup by name' },
];

/** One line naming a transform: "Value map (6 pairs)", "Default: 3". */
export function transformSummary(transform: Transform | null): string {
  if (!transform) return 'None';
  switch (transform.kind) {
    case 'valueMap':
      return `Value map (${transform.pairs.length} ${transform.pairs.length === 1 ? 'pair' : 'pairs'})`;
    case 'default':
      return `Default: ${valueText(transform.value)}`;
    case 'constant':
      return `Constant: ${valueText(transform.value)}`;
    case 'concatenate':
      return `Concatenate ${transform.fields.join(` ${transform.separator} `) || '(no fields)'}`;
    case 'case':
      return `Letter case: ${transform.case}`;
    case 'trim':
      return 'Trim';
    case 'numberFormat':
      return `Number format: ${transform.decimals} decimals, ${transform.rounding}`;
    case 'dateFormat':
      return `Date format: ${transform.financeOperations} ↔ ${transform.dataverse}`;
    case 'lookupByName':
      return `Lookup by name: ${transform.targetMap || '?'}.${transform.nameColumn || '?'}`;
  }
}

/** A JSON value as an admin types it: text as is, anything else as JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What an admin typed as a value: a number, true/false or null when it reads as one, else the text. */
export function parseValueText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (trimmed === 'null') return null;
  if (trimmed !== '' && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return text;
}
