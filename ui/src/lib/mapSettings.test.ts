import { describe, expect, it } from 'vitest';
import type { TableMap } from '../bindings/TableMap';
import {
  DEFAULT_COMPANY,
  addKeyColumn,
  masterOf,
  moveKeyColumn,
  nextKeyColumn,
  numberSequenceMode,
  removeKeyColumn,
  setCompanyPart,
  setCompanyStriping,
  setKeyColumn,
  setKeyEnteredByHand,
  setMaster,
  setNumberSequenceMode,
  setPrefix,
  setRangeEnd,
} from './mapSettings';

const saved: TableMap = {
  name: 'customers',
  title: 'Customers V3 ↔ accounts',
  financeOperationsEntity: 'CustomersV3',
  dataverseTable: 'account',
  dataverseEntitySet: 'accounts',
  dataverseId: 'accountid',
  key: { financeOperations: ['CustomerAccount'], dataverse: ['accountnumber'] },
  company: DEFAULT_COMPANY,
  fields: [{ financeOperations: 'CustomerAccount', direction: 'twoWay', dataverse: 'accountnumber', transform: null, note: null }],
  master: 'financeOperations',
  numberSequencePrefixes: { financeOperations: 'FO-', dataverse: 'CE-' },
};

/** Every property a TableMap must have, so an edit never drops one the backend requires. */
function expectWholeMap(map: TableMap) {
  for (const property of ['name', 'title', 'financeOperationsEntity', 'dataverseTable', 'dataverseEntitySet', 'dataverseId', 'key', 'fields'] as const) {
    expect(map[property], `${property} is kept by every settings edit`).toBeDefined();
  }
  expect(Array.isArray(map.key.financeOperations) && Array.isArray(map.key.dataverse)).toBe(true);
}

describe('integration key edits', () => {
  it('adds, replaces, reorders and removes columns of one side only', () => {
    let map = addKeyColumn(saved, 'financeOperations', 'dataAreaId');
    expect(map.key.financeOperations).toEqual(['CustomerAccount', 'dataAreaId']);
    map = moveKeyColumn(map, 'financeOperations', 1, -1);
    expect(map.key.financeOperations).toEqual(['dataAreaId', 'CustomerAccount']);
    map = setKeyColumn(map, 'financeOperations', 1, 'OrganizationName');
    expect(map.key.financeOperations).toEqual(['dataAreaId', 'OrganizationName']);
    map = removeKeyColumn(map, 'financeOperations', 0);
    expect(map.key).toEqual({ financeOperations: ['OrganizationName'], dataverse: ['accountnumber'] });
    expect(saved.key.financeOperations, 'the saved map is never changed in place').toEqual(['CustomerAccount']);
    expectWholeMap(map);
  });

  it('ignores a move past either end', () => {
    expect(moveKeyColumn(saved, 'dataverse', 0, -1)).toBe(saved);
    expect(moveKeyColumn(saved, 'dataverse', 0, 1)).toBe(saved);
  });

  it('offers the first column the key does not hold yet', () => {
    expect(nextKeyColumn(saved, 'dataverse', ['accountnumber', 'name'])).toBe('name');
    expect(nextKeyColumn(saved, 'dataverse', ['accountnumber'])).toBe('');
  });
});

describe('company striping', () => {
  it('turns off to none and back on to what the saved map had', () => {
    const off = setCompanyStriping(saved, false, saved);
    expect(off.company).toBeNull();
    const edited = { ...saved, company: { ...DEFAULT_COMPANY, companyCodeColumn: 'code' } };
    expect(setCompanyStriping(off, true, edited).company?.companyCodeColumn).toBe('code');
    expectWholeMap(off);
  });

  it('starts from the standard striping when the saved map had none', () => {
    const unstriped = { ...saved, company: null };
    expect(setCompanyStriping(unstriped, true, unstriped).company).toEqual(DEFAULT_COMPANY);
    expect(setCompanyPart(unstriped, 'dataverseLookup', 'msdyn_legalentity').company).toEqual({
      ...DEFAULT_COMPANY,
      dataverseLookup: 'msdyn_legalentity',
    });
  });
});

describe('number sequences', () => {
  it('holds prefixes or ranges, never both', () => {
    expect(numberSequenceMode(saved)).toBe('prefixes');
    const ranges = setNumberSequenceMode(saved, 'ranges', saved);
    expect(numberSequenceMode(ranges)).toBe('ranges');
    expect(ranges.numberSequencePrefixes).toBeNull();
    const edited = setRangeEnd(setRangeEnd(ranges, 'financeOperations', 'from', 'US0001'), 'financeOperations', 'to', 'US4999');
    expect(edited.numberSequenceRanges).toEqual({ financeOperations: { from: 'US0001', to: 'US4999' }, dataverse: { from: '', to: '' } });
    const none = setNumberSequenceMode(edited, 'none', saved);
    expect(numberSequenceMode(none)).toBe('none');
    expect(none.numberSequencePrefixes ?? none.numberSequenceRanges ?? null).toBeNull();
    expectWholeMap(none);
  });

  it('brings back the saved prefixes and edits one side', () => {
    const none = setNumberSequenceMode(saved, 'none', saved);
    const back = setNumberSequenceMode(none, 'prefixes', saved);
    expect(back.numberSequencePrefixes).toEqual({ financeOperations: 'FO-', dataverse: 'CE-' });
    expect(setPrefix(back, 'dataverse', 'CRM-').numberSequencePrefixes).toEqual({ financeOperations: 'FO-', dataverse: 'CRM-' });
  });
});

describe('master and keys entered by hand', () => {
  it('defaults the master to finance and operations, as the backend does', () => {
    const withoutMaster: TableMap = { ...saved };
    delete withoutMaster.master;
    expect(masterOf(withoutMaster)).toBe('financeOperations');
    expect(masterOf(setMaster(saved, 'dataverse'))).toBe('dataverse');
    expect(setKeyEnteredByHand(saved, true).keyEnteredByHand).toBe(true);
  });
});
