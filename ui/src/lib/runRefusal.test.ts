import { describe, expect, it } from 'vitest';
import { readableRefusal, refusalText, refusedCodes, runRefusals } from './runRefusal';

const refused = (message: string) => ({ code: 'validation_failed', message });

describe('runRefusals', () => {
  it('reads the map and its codes from the backend message', () => {
    const error = refused(
      "a map with validation errors cannot run: 'customers-broken' has DW-V016, DW-V004; open the map's Validation panel for each problem and its fix",
    );
    expect(runRefusals(error)).toEqual([{ map: 'customers-broken', codes: ['DW-V016', 'DW-V004'] }]);
    expect(refusedCodes(error, 'customers-broken')).toEqual(['DW-V016', 'DW-V004']);
    expect(refusedCodes(error, 'other')).toEqual([]);
  });

  it('reads several maps separated by semicolons, one code each or many', () => {
    const error = refused(
      "a map with validation errors cannot run: 'a' has DW-V016; 'b-2' has DW-V012, DW-V001, DW-V012; open the map's Validation panel",
    );
    expect(runRefusals(error)).toEqual([
      { map: 'a', codes: ['DW-V016'] },
      { map: 'b-2', codes: ['DW-V012', 'DW-V001'] },
    ]);
  });

  it('reads the last pair without a trailing sentence, and ignores words that are not codes', () => {
    expect(runRefusals(refused("cannot run: 'x' has DW-V016 and DW-V004."))).toEqual([
      { map: 'x', codes: ['DW-V016', 'DW-V004'] },
    ]);
  });

  it('answers nothing for other errors or a message it cannot read', () => {
    expect(runRefusals({ code: 'not_linked', message: "'x' has DW-V016" })).toEqual([]);
    expect(runRefusals(refused('a map with validation errors cannot run'))).toEqual([]);
    expect(runRefusals(refused("'x' has no codes"))).toEqual([]);
  });

  it('says what to do, naming the codes when known', () => {
    expect(refusalText(['DW-V016'])).toBe(
      'It has validation errors (DW-V016), so it cannot run. Open its details for each problem and its fix.',
    );
    expect(refusalText([])).toContain('It has validation errors, so it cannot run.');
  });

  it('rewrites a refusal readably and leaves other errors as they are', () => {
    expect(readableRefusal(refused("cannot run: 'a' has DW-V016; 'b' has DW-V004, DW-V012; open the panel"))).toEqual({
      code: 'validation_failed',
      message:
        "Validation errors stop 2 maps from running: 'a' (DW-V016); 'b' (DW-V004, DW-V012). Open each map's details for its problems and their fixes.",
    });
    expect(readableRefusal(refused("cannot run: 'a' has DW-V016; open the panel")).message).toBe(
      "Validation errors (DW-V016) stop 'a' from running. Open its details for each problem and its fix.",
    );
    const other = { code: 'remote', message: 'x' };
    expect(readableRefusal(other)).toBe(other);
    const unreadable = refused('cannot run');
    expect(readableRefusal(unreadable)).toBe(unreadable);
  });
});
