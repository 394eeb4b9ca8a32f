import { describe, expect, it } from 'vitest';
import type { TableMap } from '../bindings/TableMap';
import {
  addField,
  asTableMap,
  autoPair,
  directionName,
  directionSymbol,
  draftChanges,
  enumOptions,
  fieldLabel,
  matchColumns,
  isDirty,
  newField,
  removeField,
  sameValue,
  setNullPolicy,
  setPair,
  setTransform,
  unpaired,
  updateField,
  valueMapRows,
} from './mapDraft';

const stored = {
  name: 'customers',
  title: 'Customers V3 ↔ accounts',
  financeOperationsEntity: 'CustomersV3',
  dataverseTable: 'account',
  dataverseEntitySet: 'accounts',
  dataverseId: 'accountid',
  key: { financeOperations: ['CustomerAccount'], dataverse: ['accountnumber'] },
  company: { financeOperationsField: 'dataAreaId', dataverseLookup: 'msdyn_company', companyEntitySet: 'cdm_companies', companyCodeColumn: 'cdm_companycode' },
  fields: [
    { financeOperations: 'CustomerAccount', direction: 'twoWay', dataverse: 'accountnumber', transform: null, note: 'integration key' },
    { financeOperations: 'CreditLimit', direction: 'twoWay', dataverse: 'creditlimit', transform: null, note: null },
    { dataverse: 'customertypecode', direction: 'defaultToDataverse', transform: { kind: 'default', value: 3 }, note: 'customer type' },
  ],
  master: 'financeOperations',
};

function saved(): TableMap {
  const map = asTableMap(structuredClone(stored));
  if (!map) throw new Error('the sample is a map');
  return map;
}

const onHold = { members: ['No', 'Invoice', 'All', 'Payment'], labels: [] as string[] };
const options = enumOptions({
  name: 'msdyn_onholdstatus',
  type: 'enum',
  mandatory: false,
  readOnly: false,
  members: ['806380000', '806380001', '806380002', '806380009'],
  labels: ['No', 'INVOICE', 'all', 'Blocked'],
});

describe('asTableMap', () => {
  it('reads a stored definition, fills the sides a field leaves out and keeps every other property', () => {
    const map = saved();
    expect(map.fields[2].financeOperations).toBeNull();
    expect(map.company).toEqual(stored.company);
    expect(map.master).toBe('financeOperations');
  });
  it('refuses what is not a map', () => {
    expect(asTableMap(null)).toBeNull();
    expect(asTableMap({ name: 'x', fields: [] })).toBeNull();
    expect(asTableMap({ name: 'x', key: {}, fields: [{ financeOperations: 'A' }] })).toBeNull();
  });
});

describe('draft state', () => {
  it('is clean while the draft equals the saved map, absent and null alike', () => {
    // GIVEN a draft that only spells an absent property as null.
    const draft = updateField(saved(), 1, { nullPolicy: null });
    // THEN nothing changed, because the backend reads both as none.
    expect(isDirty(saved(), draft)).toBe(false);
    expect(draftChanges(saved(), draft).count).toBe(0);
    expect(sameValue({ a: 1, b: [1, { c: null }] }, { b: [1, {}], a: 1 })).toBe(true);
  });

  it('counts and describes added, changed and removed fields and changed map properties', () => {
    let draft = addField(saved(), { ...newField(), financeOperations: 'OnHoldStatus', dataverse: 'msdyn_onholdstatus' });
    draft = updateField(draft, 1, { direction: 'toDataverse' });
    draft = removeField(draft, 0);
    draft = { ...draft, title: 'Customers' };
    const changes = draftChanges(saved(), draft);
    expect(isDirty(saved(), draft)).toBe(true);
    expect(changes.lines).toEqual([
      'Map title changed',
      'CreditLimit: = → >',
      'Added OnHoldStatus = msdyn_onholdstatus',
      'Removed CustomerAccount = accountnumber',
    ]);
    expect(changes.count).toBe(4);
    expect(changes.fields).toEqual(['changed', 'same', 'added']);
  });

  it('leaves the saved map untouched, and discarding is going back to it', () => {
    const original = saved();
    const draft = setTransform(updateField(original, 1, { note: 'edited' }), 1, { kind: 'trim' });
    expect(original.fields[1]).toEqual(saved().fields[1]);
    expect(draft.fields[1].transform).toEqual({ kind: 'trim' });
    expect(isDirty(original, draft)).toBe(true);
    expect(isDirty(original, structuredClone(original))).toBe(false);
  });

  it('gives a two-way field a value map with the two-way-with-transform direction', () => {
    const draft = setTransform(saved(), 1, { kind: 'valueMap', pairs: [] });
    expect(draft.fields[1].direction).toBe('twoWayTransform');
    expect(setTransform(saved(), 2, { kind: 'default', value: 1 }).fields[2].direction).toBe('defaultToDataverse');
  });

  it('stores "keep" as no null policy and drops properties set to undefined', () => {
    const withDefault = setNullPolicy(saved(), 1, { kind: 'useDefault', value: 0 });
    expect(withDefault.fields[1].nullPolicy).toEqual({ kind: 'useDefault', value: 0 });
    const kept = setNullPolicy(withDefault, 1, { kind: 'keep' });
    expect('nullPolicy' in kept.fields[1]).toBe(false);
    expect(isDirty(saved(), kept)).toBe(false);
  });
});

describe('directions', () => {
  it('reads names and symbols alike', () => {
    expect(directionName('>>')).toBe('defaultToDataverse');
    expect(directionName('sideways')).toBeNull();
    expect(directionSymbol('twoWayTransform')).toBe('><');
    expect(fieldLabel({ financeOperations: null, direction: 'defaultToDataverse', dataverse: 'customertypecode' })).toBe('— >> customertypecode');
  });
});

describe('value-map pairing', () => {
  it('pairs members with options whose labels match case-insensitively, keeping pairs already made', () => {
    // GIVEN "No" already paired by hand with another option.
    const pairs = autoPair([['No', 806380009]], onHold.members, options);
    // THEN it stays; Invoice and All pair by label, as numbers; Payment has no match.
    expect(pairs).toEqual([
      ['No', 806380009],
      ['Invoice', 806380001],
      ['All', 806380002],
    ]);
    const left = unpaired(pairs, onHold.members, options);
    expect(left.members).toEqual(['Payment']);
    expect(left.options.map((o) => o.value)).toEqual(['806380000']);
  });

  it('pairs an option once: choosing it for another member moves it', () => {
    let pairs = setPair([], 'No', '806380000');
    pairs = setPair(pairs, 'All', '806380002');
    expect(pairs).toEqual([
      ['No', 806380000],
      ['All', 806380002],
    ]);
    pairs = setPair(pairs, 'Invoice', '806380000');
    expect(pairs).toEqual([
      ['All', 806380002],
      ['Invoice', 806380000],
    ]);
    pairs = setPair(pairs, 'All', '806380001');
    expect(pairs).toEqual([
      ['All', 806380001],
      ['Invoice', 806380000],
    ]);
    expect(setPair(pairs, 'All', null)).toEqual([['Invoice', 806380000]]);
  });

  it('lists every schema member, then members only the pairs know', () => {
    const rows = valueMapRows([['Legacy', 1], ['No', 806380000]], ['No', 'Invoice']);
    expect(rows).toEqual([
      { member: 'No', option: '806380000', known: true },
      { member: 'Invoice', option: null, known: true },
      { member: 'Legacy', option: '1', known: false },
    ]);
  });

  it('labels options by value when the schema has no labels', () => {
    expect(enumOptions({ name: 'x', type: 'enum', mandatory: false, readOnly: false, members: ['1'], labels: [] })).toEqual([
      { value: '1', label: '1' },
    ]);
  });
});

describe('matchColumns', () => {
  const column = (name: string) => ({ name, type: 'text' as const, mandatory: false, readOnly: false, members: [], labels: [] });
  const columns = ['accountnumber', 'name', 'msdyn_accountstatus', 'AccountName', 'telephone1'].map(column);
  it('finds names containing the text, those starting with it first, up to the limit', () => {
    const { shown, more } = matchColumns(columns, 'ACCOUNT', 2);
    expect(shown.map((c) => c.name)).toEqual(['accountnumber', 'AccountName']);
    expect(more).toBe(1);
    expect(matchColumns(columns, '', 10).shown).toHaveLength(5);
  });
});
