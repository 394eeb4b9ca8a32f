import { describe, expect, it } from 'vitest';
import type { BootstrapRow } from '../bindings/BootstrapRow';
import { bootstrapCounts, canBootstrap, bootstrapCsv, bootstrapFileName, csvField, filterBootstrapRows, stampLabel } from './bootstrap';

const rows: BootstrapRow[] = [
  { key: 'C-001', dataverseId: 'a1', company: 'DAT', matched: true },
  { key: 'Smith, "Jr"', dataverseId: 'a2', company: 'USMF', matched: false },
  { key: 'line\nbreak', dataverseId: 'a3', company: 'DAT', matched: false },
];

describe('bootstrap rows', () => {
  it('filters and counts matched and unmatched rows', () => {
    expect(bootstrapCounts(rows)).toEqual({ all: 3, matched: 1, unmatched: 2 });
    expect(filterBootstrapRows(rows, 'matched').map((r) => r.dataverseId)).toEqual(['a1']);
    expect(filterBootstrapRows(rows, 'unmatched').map((r) => r.dataverseId)).toEqual(['a2', 'a3']);
    expect(filterBootstrapRows(rows, 'all')).toHaveLength(3);
    expect(bootstrapCounts([])).toEqual({ all: 0, matched: 0, unmatched: 0 });
  });
});

describe('CSV', () => {
  it('quotes commas, quotes, line breaks and edge spaces only', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('')).toBe('');
  });
  it('writes a header and every row with CRLF line ends', () => {
    expect(bootstrapCsv({ rows })).toBe(
      'key,dataverseId,company,matched\r\n' +
        'C-001,a1,DAT,matched\r\n' +
        '"Smith, ""Jr""",a2,USMF,unmatched\r\n' +
        '"line\nbreak",a3,DAT,unmatched\r\n',
    );
    expect(bootstrapCsv({ rows: [] })).toBe('key,dataverseId,company,matched\r\n');
  });
  it('names the file by map, dry run and local time', () => {
    const at = new Date(2026, 0, 6, 9, 5);
    expect(bootstrapFileName({ map: 'customers', dryRun: true }, at)).toBe('bootstrap-customers-dry-run-20260106-0905.csv');
    expect(bootstrapFileName({ map: 'a b/c', dryRun: false }, at)).toBe('bootstrap-a-b-c-20260106-0905.csv');
  });
  it('says how many rows a stamp writes', () => {
    expect(stampLabel(1)).toBe('Stamp 1 row');
    expect(stampLabel(1200)).toBe('Stamp 1,200 rows');
  });
});

describe('canBootstrap', () => {
  const company = { financeOperationsField: 'dataAreaId', dataverseLookup: 'msdyn_company', companyEntitySet: 'cdm_companies', companyCodeColumn: 'cdm_companycode' };
  it('takes a company-specific map with a plain key', () => {
    expect(canBootstrap({ company, key: { financeOperations: ['CustomerAccount'], dataverse: ['accountnumber'] } })).toBe(true);
  });
  it('refuses a cross-company map, a key with a lookup part, a missing key and anything else', () => {
    expect(canBootstrap({ company: null, key: { financeOperations: ['A'], dataverse: ['a'] } })).toBe(false);
    expect(canBootstrap({ company, key: { financeOperations: ['SalesOrderNumber'], dataverse: ['salesorderid.msdyn_salesordernumber'] } })).toBe(false);
    expect(canBootstrap({ company, key: { financeOperations: [], dataverse: [] } })).toBe(false);
    expect(canBootstrap(null)).toBe(false);
    expect(canBootstrap('customers')).toBe(false);
  });
});
