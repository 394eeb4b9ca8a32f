import { describe, expect, it } from 'vitest';
import { TRANSFORM_KINDS, newTransform, parseValueText, transformSummary, valueText } from './transforms';

describe('transforms', () => {
  it('reads typed values as numbers, booleans or text, and writes them back', () => {
    expect(parseValueText('3')).toBe(3);
    expect(parseValueText('-1.5')).toBe(-1.5);
    expect(parseValueText('true')).toBe(true);
    expect(parseValueText('Organization')).toBe('Organization');
    expect(parseValueText('')).toBe('');
    expect(valueText(3)).toBe('3');
    expect(valueText(null)).toBe('');
  });
  it('sums up transforms', () => {
    expect(transformSummary(null)).toBe('None');
    expect(transformSummary({ kind: 'valueMap', pairs: [['No', 1]] })).toBe('Value map (1 pair)');
    expect(transformSummary({ kind: 'default', value: 3 })).toBe('Default: 3');
    expect(transformSummary({ kind: 'lookupByName', targetMap: 'groups', nameColumn: '' })).toBe('Lookup by name: groups.?');
  });
  it('starts every kind with its defaults', () => {
    for (const { kind } of TRANSFORM_KINDS) expect(newTransform(kind).kind).toBe(kind);
    expect(newTransform('numberFormat')).toEqual({ kind: 'numberFormat', decimals: 2, rounding: 'halfAwayFromZero' });
  });
});
