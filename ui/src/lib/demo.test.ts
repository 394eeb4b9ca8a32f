import { describe, expect, it } from 'vitest';
import type { DemoRowView } from '../bindings/DemoRowView';
import { arrival, cellText, changedCells, latencyText, parseEdit, payloadSummary, withOlder } from './demo';

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

  it('summarises what a history line wrote, or the body a failure sent', () => {
    expect(payloadSummary({ name: 'NameA', 'msdyn_company@odata.bind': '/cdm_companies(1)' })).toBe('name: NameA');
    expect(payloadSummary({ sent: { telephone1: '555' }, remote: { error: 'too long' } })).toBe('telephone1: 555');
    expect(payloadSummary({ a: 1, b: 2, c: 3, d: 4 })).toBe('a: 1 · b: 2 · c: 3 · …');
    expect(payloadSummary(null)).toBe('');
  });

  it('shows only what changed since the older line written the same way', () => {
    const lines = [
      { direction: 'toDataverse', payload: { creditlimit: 1, name: 'NameC' } },
      { direction: 'toFinanceOperations', payload: { OrganizationName: 'X' } },
      { direction: 'toDataverse', payload: { creditlimit: 1, name: 'NameB' } },
    ];
    const [[newest, older]] = withOlder(lines);
    expect(payloadSummary(newest.payload, older)).toBe('name: NameC');
    const [, , [oldest, none]] = withOlder(lines);
    expect(none).toBeNull();
    expect(payloadSummary(oldest.payload, none)).toBe('creditlimit: 1 · name: NameB');
  });
});
