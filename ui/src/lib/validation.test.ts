import { describe, expect, it } from 'vitest';
import type { MapProblemView } from '../bindings/MapProblemView';
import { blockingCodes, fieldIndexOf, problemsByField } from './validation';

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
