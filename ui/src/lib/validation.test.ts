import { describe, expect, it } from 'vitest';
import type { MapProblemView } from '../bindings/MapProblemView';
import { blockingCodes, fieldIndexOf, orderedProblems, problemPlace, problemSubject, problemsByField, validationSummary } from './validation';

const problem = (code: string, path: string, severity: 'error' | 'warning' = 'error'): MapProblemView => ({
  code,
  severity,
  path,
  message: 'm',
  fix: 'f',
});

describe('validation', () => {
  it('finds the field a path points into', () => {
    expect(fieldIndexOf('$.fields[3].transform')).toBe(3);
    expect(fieldIndexOf('$.fields[12]')).toBe(12);
    expect(fieldIndexOf('$.fields')).toBeNull();
    expect(fieldIndexOf('$.key.dataverse')).toBeNull();
  });

  it('groups problems by field and lists blocking codes once', () => {
    const problems = [
      problem('DW-V016', '$.fields[1].dataverse'),
      problem('DW-V006', '$.fields[1]'),
      problem('DW-V009', '$.fields[2].transform', 'warning'),
      problem('DW-V004', '$.fields'),
      problem('DW-V016', '$.fields[4].financeOperations'),
    ];
    const byField = problemsByField(problems);
    expect([...byField.keys()]).toEqual([1, 2, 4]);
    expect(byField.get(1)?.map((p) => p.code)).toEqual(['DW-V016', 'DW-V006']);
    expect(blockingCodes(problems)).toEqual(['DW-V016', 'DW-V006', 'DW-V004']);
  });
});

describe('validation panel', () => {
  const problems = [
    problem('DW-V011', '$.numberSequencePrefixes', 'warning'),
    problem('DW-V001', '$.key'),
    problem('DW-V009', '$.fields[1].transform', 'warning'),
    problem('DW-V002', '$.key.dataverse[1]'),
  ];

  it('lists errors before warnings, keeping the reported order within each', () => {
    expect(orderedProblems(problems).map((p) => p.code)).toEqual(['DW-V001', 'DW-V002', 'DW-V011', 'DW-V009']);
  });

  it('sums up what blocks Run', () => {
    expect(validationSummary(problems)).toBe('2 errors block Run · 2 warnings');
    expect(validationSummary([problem('DW-V001', '$.key'), problem('DW-V011', '$.x', 'warning')])).toBe('1 error blocks Run · 1 warning');
    expect(validationSummary([problem('DW-V011', '$.x', 'warning')])).toBe('1 warning · the map can run');
    expect(validationSummary([])).toBe('No problems: the map can run');
  });

  it('names the field or part of the map a problem points at, and where it is fixed', () => {
    const fields = [{ name: 'CustomerAccount = accountnumber' }, { name: 'CreditLimit = creditlimit' }];
    const label = (f: { name: string }) => f.name;
    expect(problemSubject(problems[2], fields, label)).toBe('CreditLimit = creditlimit');
    expect(problemSubject(problem('DW-V006', '$.fields[7]'), fields, label)).toBe('Field 8');
    expect(problemSubject(problems[3], fields, label)).toBe('Integration key');
    expect(problemSubject(problem('DW-V004', '$.fields'), fields, label)).toBe('Field mappings');
    expect(problemSubject(problem('DW-V099', '$.dataverseTable'), fields, label)).toBe('Map');
    expect(problemPlace(problems[0])).toBe('settings');
    expect(problemPlace(problems[2])).toBe('fields');
    expect(problemPlace(problem('DW-V020', '$.filterDataverse'))).toBe('filters');
    expect(problemPlace(problem('DW-V099', '$.keyEnteredByHandX'))).toBe('map');
  });
});
