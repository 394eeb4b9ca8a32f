import type { CompanyStriping } from '../bindings/CompanyStriping';
import type { KeyRange } from '../bindings/KeyRange';
import type { Side } from '../bindings/Side';
import type { TableMap } from '../bindings/TableMap';

/** The standard dual-write company striping: `dataAreaId` against the `msdyn_company` lookup to `cdm_company`. */
export const DEFAULT_COMPANY: CompanyStriping = {
  financeOperationsField: 'dataAreaId',
  dataverseLookup: 'msdyn_company',
  companyEntitySet: 'cdm_companies',
  companyCodeColumn: 'cdm_companycode',
};

export const SIDES: readonly Side[] = ['financeOperations', 'dataverse'];

export function sideName(side: Side): string {
  return side === 'financeOperations' ? 'Finance and operations' : 'Dataverse';
}

/** The integration key of one side with `columns` in its place. */
function withKey(map: TableMap, side: Side, columns: string[]): TableMap {
  return { ...map, key: { ...map.key, [side]: columns } };
}

export function addKeyColumn(map: TableMap, side: Side, column: string): TableMap {
  return withKey(map, side, [...map.key[side], column]);
}

export function setKeyColumn(map: TableMap, side: Side, index: number, column: string): TableMap {
  return withKey(map, side, map.key[side].map((c, i) => (i === index ? column : c)));
}

export function removeKeyColumn(map: TableMap, side: Side, index: number): TableMap {
  return withKey(map, side, map.key[side].filter((_, i) => i !== index));
}

/** Moves a key column one place up (-1) or down (+1); a move past either end changes nothing. */
export function moveKeyColumn(map: TableMap, side: Side, index: number, by: -1 | 1): TableMap {
  const columns = [...map.key[side]];
  const to = index + by;
  if (index < 0 || index >= columns.length || to < 0 || to >= columns.length) return map;
  [columns[index], columns[to]] = [columns[to], columns[index]];
  return withKey(map, side, columns);
}

/** The first column of `available` that the key does not hold yet, for the Add button. */
export function nextKeyColumn(map: TableMap, side: Side, available: readonly string[]): string {
  return available.find((c) => !map.key[side].includes(c)) ?? '';
}

/** Turns company striping on (the saved striping if there was one, else the standard one) or off. */
export function setCompanyStriping(map: TableMap, on: boolean, saved: TableMap): TableMap {
  return { ...map, company: on ? (map.company ?? saved.company ?? DEFAULT_COMPANY) : null };
}

export function setCompanyPart(map: TableMap, part: keyof CompanyStriping, value: string): TableMap {
  return { ...map, company: { ...(map.company ?? DEFAULT_COMPANY), [part]: value } };
}

export type NumberSequenceMode = 'none' | 'prefixes' | 'ranges';

export function numberSequenceMode(map: TableMap): NumberSequenceMode {
  if (map.numberSequencePrefixes) return 'prefixes';
  if (map.numberSequenceRanges) return 'ranges';
  return 'none';
}

const EMPTY_RANGE: KeyRange = { from: '', to: '' };

/**
 * Chooses how keys created on both sides stay apart. A map holds prefixes or ranges, never
 * both; switching back to a kind brings back what the saved map had for it.
 */
export function setNumberSequenceMode(map: TableMap, mode: NumberSequenceMode, saved: TableMap): TableMap {
  return {
    ...map,
    numberSequencePrefixes:
      mode === 'prefixes' ? (map.numberSequencePrefixes ?? saved.numberSequencePrefixes ?? { financeOperations: '', dataverse: '' }) : null,
    numberSequenceRanges:
      mode === 'ranges'
        ? (map.numberSequenceRanges ?? saved.numberSequenceRanges ?? { financeOperations: EMPTY_RANGE, dataverse: EMPTY_RANGE })
        : null,
  };
}

export function setPrefix(map: TableMap, side: Side, prefix: string): TableMap {
  const prefixes = map.numberSequencePrefixes ?? { financeOperations: '', dataverse: '' };
  return { ...map, numberSequencePrefixes: { ...prefixes, [side]: prefix }, numberSequenceRanges: null };
}

export function setRangeEnd(map: TableMap, side: Side, end: keyof KeyRange, value: string): TableMap {
  const ranges = map.numberSequenceRanges ?? { financeOperations: EMPTY_RANGE, dataverse: EMPTY_RANGE };
  return { ...map, numberSequenceRanges: { ...ranges, [side]: { ...ranges[side], [end]: value } }, numberSequencePrefixes: null };
}

/** The master side; a map that names none lets finance and operations win, as the backend does. */
export function masterOf(map: TableMap): Side {
  return map.master ?? 'financeOperations';
}

export function setMaster(map: TableMap, master: Side): TableMap {
  return { ...map, master };
}

export function setKeyEnteredByHand(map: TableMap, byHand: boolean): TableMap {
  return { ...map, keyEnteredByHand: byHand };
}
