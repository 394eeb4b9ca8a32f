import { describe, expect, it } from 'vitest';
import type { MapDiffView } from '../bindings/MapDiffView';
import type { RowPreviewView } from '../bindings/RowPreviewView';
import type { TableMap } from '../bindings/TableMap';
import { asTableMap } from './mapDraft';
import {
  diffPair,
  diffRows,
  formatValue,
  importSummary,
  packageFileName,
  parsePackageText,
  previewColumns,
  previewDropped,
  previewKind,
  previewError,
  previewRow,
  previewsBySide,
  previewSummary,
  sampleLabel,
  toggleVersionPick,
} from './mapsAlm';

const stored = {
  name: 'customers',
  title: 'Customers V3 ↔ accounts',
  financeOperationsEntity: 'CustomersV3',
  dataverseTable: 'account',
  dataverseEntitySet: 'accounts',
  dataverseId: 'accountid',
  key: { financeOperations: ['CustomerAccount'], dataverse: ['accountnumber'] },
  company: { financeOperationsField: 'dataAreaId', dataverseLookup: 'msdyn_company', companyEntitySet: 'cdm_companies', companyCodeColumn: 'cdm_companycode' },
  fields: [{ financeOperations: 'CustomerAccount', direction: 'twoWay', dataverse: 'accountnumber', transform: null, note: null }],
};

function definition(): TableMap {
  const parsed = asTableMap(structuredClone(stored));
  if (!parsed) throw new Error('the sample is a map');
  return parsed;
}

describe('version picks', () => {
  it('keeps the two latest picks and orders the pair oldest first', () => {
    let picked = toggleVersionPick([], 3);
    expect(diffPair(picked)).toBeNull();
    picked = toggleVersionPick(picked, 1);
    expect(diffPair(picked)).toEqual({ from: 1, to: 3 });
    picked = toggleVersionPick(picked, 5);
    expect(picked).toEqual([1, 5]);
    picked = toggleVersionPick(picked, 1);
    expect(picked).toEqual([5]);
  });
});

describe('diffRows', () => {
  const diff: MapDiffView = {
    name: 'customers',
    from: 1,
    to: 2,
    properties: [{ path: '$.title', before: 'Old', after: 'New' }],
    fields: [
      {
        field: 'CreditLimit',
        change: 'changed',
        path: '$.fields[1]',
        changes: [{ path: '$.fields[1].direction', before: 'twoWay', after: 'toDataverse' }],
        before: null,
        after: null,
      },
      {
        field: 'SalesMemo',
        change: 'removed',
        path: '$.fields[5]',
        changes: [],
        before: { financeOperations: 'SalesMemo', direction: 'twoWay', dataverse: 'description' },
        after: null,
      },
      {
        field: 'Phone',
        change: 'added',
        path: '$.fields[6]',
        changes: [],
        before: null,
        after: { financeOperations: 'Phone', direction: '>', dataverse: 'telephone1' },
      },
    ],
  };
  it('gives one row per changed value and one per added or removed field', () => {
    expect(diffRows(diff).map((r) => [r.change, r.subject, r.path, r.before, r.after])).toEqual([
      ['changed', 'Map', '$.title', 'Old', 'New'],
      ['changed', 'CreditLimit', '$.fields[1].direction', 'twoWay', 'toDataverse'],
      ['removed', 'SalesMemo', '$.fields[5]', 'SalesMemo = description', '—'],
      ['added', 'Phone', '$.fields[6]', '—', 'Phone > telephone1'],
    ]);
  });
  it('names an added map property as added', () => {
    const rows = diffRows({ ...diff, fields: [], properties: [{ path: '$.filterDataverse', before: null, after: 'name eq' }] });
    expect(rows[0].change).toBe('added');
  });
  it('formats values compactly', () => {
    expect(formatValue(null)).toBe('—');
    expect(formatValue(3)).toBe('3');
    expect(formatValue({ kind: 'default' })).toBe('{"kind":"default"}');
  });
});

describe('preview', () => {
  const fromFo: RowPreviewView = {
    from: 'financeOperations',
    source: { dataAreaId: 'usmf', CustomerAccount: 'C1', CreditLimit: 10 },
    key: 'USMF|C1',
    saved: { row: { accountnumber: 'C1', creditlimit: 10, name: 'Contoso' } },
    edited: { row: { accountnumber: 'C1', name: 'Contoso' } },
    changedFields: ['creditlimit'],
  };
  const fromDv: RowPreviewView = {
    from: 'dataverse',
    source: { name: 'x' },
    key: null,
    saved: null,
    edited: { error: "value 'All' of 'OnHoldStatus' has no entry in the value map" },
    changedFields: [],
  };
  it('lists changed columns first, then the rest in order', () => {
    expect(previewColumns(fromFo)).toEqual(['creditlimit', 'accountnumber', 'name']);
    expect(previewColumns(fromDv)).toEqual([]);
  });
  it('reads rows and errors from outcomes', () => {
    expect(previewRow(fromFo.edited)).toEqual({ accountnumber: 'C1', name: 'Contoso' });
    expect(previewError(fromFo.edited)).toBeNull();
    expect(previewRow(fromDv.saved)).toBeNull();
    expect(previewError(fromDv.edited)).toContain('OnHoldStatus');
  });
  it('sums up what was read, what the edit changes and what fails', () => {
    expect(previewSummary([fromFo, fromDv])).toBe(
      '2 rows read (1 from finance and operations, 1 from Dataverse); 1 row would be written differently; 1 row cannot be written.',
    );
    expect(previewSummary([])).toBe('0 rows read (0 from finance and operations, 0 from Dataverse); no write differs from the saved map.');
  });
  it('groups samples by side and names them by company and key', () => {
    const grouped = previewsBySide([fromDv, fromFo]);
    expect(grouped.financeOperations).toEqual([fromFo]);
    expect(grouped.dataverse).toEqual([fromDv]);
    expect(sampleLabel(fromFo, definition(), 0)).toBe('USMF | C1');
    expect(sampleLabel({ ...fromFo, key: null }, definition(), 0)).toBe('usmf | C1');
    expect(sampleLabel(fromDv, definition(), 1)).toBe('Row 2');
  });
  const dropped: RowPreviewView = {
    from: 'financeOperations',
    source: { dataAreaId: 'DAT', CustomerAccount: 'DAT-000001', CreditLimit: 150000 },
    key: 'DAT|DAT-000001',
    saved: { row: { accountnumber: 'DAT-000001', creditlimit: 150000 } },
    edited: { dropped: 'the source filter drops it' },
    changedFields: ['accountnumber', 'creditlimit'],
  };
  const same: RowPreviewView = { ...fromFo, saved: fromFo.edited, changedFields: [] };
  it('reads why a row is dropped', () => {
    expect(previewDropped(dropped.edited)).toBe('the source filter drops it');
    expect(previewDropped(dropped.saved)).toBeNull();
    expect(previewRow(dropped.edited)).toBeNull();
    expect(previewError(dropped.edited)).toBeNull();
  });
  it('classifies each sample by what the edit does with it', () => {
    expect(previewKind(dropped)).toBe('dropped');
    expect(previewKind(fromDv)).toBe('failed');
    expect(previewKind(fromFo)).toBe('changed');
    expect(previewKind(same)).toBe('same');
    // A row the saved map dropped and the edit writes is a change, even with the same columns.
    expect(previewKind({ ...same, saved: { dropped: 'the company scope drops it' } })).toBe('changed');
  });
  it('counts dropped rows apart from rows written differently', () => {
    expect(previewSummary([dropped, same, fromFo])).toBe(
      '3 rows read (3 from finance and operations, 0 from Dataverse); 1 row would be written differently; 1 row not synced (dropped by a filter or the company scope).',
    );
  });
});

describe('packages', () => {
  it('names the download by the map or the count', () => {
    const now = new Date('2026-11-23T18:00:00Z');
    expect(packageFileName(['customers'], now)).toBe('duet-maps-customers-2026-11-23.json');
    expect(packageFileName(['a', 'b', 'c'], now)).toBe('duet-maps-3-maps-2026-11-23.json');
  });
  it('reads pasted JSON and explains what does not parse', () => {
    expect(parsePackageText('{"maps": []}')).toEqual({ ok: true, value: { maps: [] } });
    const bad = parsePackageText('{"maps": [');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('invalid_json');
    const empty = parsePackageText('  ');
    expect(empty.ok).toBe(false);
  });
  it('sums up an import', () => {
    expect(importSummary({ imported: true, added: ['a'], replaced: [], unchanged: ['b', 'c'], problems: [] })).toEqual({
      intent: 'success',
      title: 'Imported: 1 added, 2 unchanged',
    });
    const refused = importSummary({
      imported: false,
      added: [],
      replaced: [],
      unchanged: [],
      problems: [{ code: 'DW-P003', severity: 'error', path: '$.maps[0]', message: 'm', fix: 'f' }],
    });
    expect(refused).toEqual({ intent: 'error', title: 'Nothing was imported: 1 problem' });
  });
});
