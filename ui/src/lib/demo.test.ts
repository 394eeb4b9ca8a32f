import { describe, expect, it } from 'vitest';
import type { DemoRowView } from '../bindings/DemoRowView';
import { arrival, cellText, changedCells, latencyText, parseEdit } from './demo';

function row(name: [unknown, unknown], credit: [unknown, unknown], readAtMs = 1000, key = 'DAT|C1'): DemoRowView {
  return {
    map: 'customers',
    key,
    onFinanceOperations: true,
    onDataverse: true,
    readAtMs,
    fields: [
      { financeOperations: 'OrganizationName', direction: '=', dataverse: 'name', financeOperationsValue: name[0], dataverseValue: name[1], readOnly: false },
      { financeOperations: 'CreditLimit', direction: '=', dataverse: 'creditlimit', financeOperationsValue: credit[0], dataverseValue: credit[1], readOnly: false },
    ],
  };
}

describe('demo', () => {
  it('types an edit like the value it replaces', () => {
    expect(parseEdit('2500', 100)).toBe(2500);
    expect(parseEdit('Contoso', 'Fabrikam')).toBe('Contoso');
    expect(parseEdit('  ', 'Fabrikam')).toBeNull();
    expect(parseEdit('abc', 100)).toBe('abc');
  });

  it('marks only the cells whose value changed, and none for another row', () => {
    const before = row(['A', 'A'], [1, 1]);
    const after = row(['B', 'A'], [1, 1]);
    expect([...changedCells(before, after)]).toEqual(['financeOperations:OrganizationName']);
    expect(changedCells(null, after).size).toBe(0);
    expect(changedCells(row(['A', 'A'], [1, 1], 1000, 'DAT|C2'), after).size).toBe(0);
  });

  it('measures arrival on the other side only once it holds the value written', () => {
    const pending = { side: 'financeOperations' as const, line: 0, value: 'B', writtenAtMs: 400 };
    expect(arrival(pending, row(['B', 'A'], [1, 1], 900))).toBeNull();
    expect(arrival(pending, row(['B', 'B'], [1, 1], 2200))).toBe(1800);
    expect(latencyText('financeOperations', 1800)).toBe('Arrived in Dataverse in 1.8 s');
  });

  it('shows values as text', () => {
    expect(cellText(null)).toBe('—');
    expect(cellText(12.5)).toBe('12.5');
    expect(cellText('x')).toBe('x');
  });
});
