import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import { formatJson, lastFailureFor, parseFailure, parseMaybeJson, splitPayload } from './entryDetail';

const SOLUTION = "The request does not fit the target's schema: check the map's fields, types and value maps, then retry.";

describe('parseFailure', () => {
  it('splits the engine wording into request, status, error and solution', () => {
    const text = `PATCH http://127.0.0.1:9/api/data/v9.2/accounts(accountnumber='C1') failed (400): Credit limit must be positive — ${SOLUTION}`;
    expect(parseFailure(text)).toEqual({
      request: "PATCH http://127.0.0.1:9/api/data/v9.2/accounts(accountnumber='C1')",
      status: '400',
      error: 'Credit limit must be positive',
      solution: SOLUTION,
    });
  });

  it('keeps a status with a slash and a message that has a colon', () => {
    const f = parseFailure('POST http://h/data/X failed (401/403): denied: no role — Check the secret.');
    expect(f.status).toBe('401/403');
    expect(f.error).toBe('denied: no role');
    expect(f.solution).toBe('Check the secret.');
  });

  it('takes the last dash as the solution separator', () => {
    const f = parseFailure('PATCH u failed (application): name — too long — Read the message.');
    expect(f.error).toBe('name — too long');
    expect(f.solution).toBe('Read the message.');
  });

  it('returns other text whole as the error', () => {
    expect(parseFailure('a required key field is empty: CustomerAccount')).toEqual({
      request: null,
      status: null,
      error: 'a required key field is empty: CustomerAccount',
      solution: null,
    });
  });
});

describe('splitPayload', () => {
  it('splits a failure payload and parses the remote body', () => {
    const parts = splitPayload({ sent: { accountnumber: 'C1' }, remote: '{"error":{"code":"0x1","message":"bad"}}' });
    expect(parts.sent).toEqual({ accountnumber: 'C1' });
    expect(parts.remote).toEqual({ error: { code: '0x1', message: 'bad' } });
  });

  it('keeps a remote body that is not JSON as text', () => {
    expect(splitPayload({ sent: null, remote: 'Bad Gateway' })).toEqual({ sent: undefined, remote: 'Bad Gateway' });
  });

  it('takes a written row as what was sent, even when it has a column named sent', () => {
    const row = { accountnumber: 'C1', sent: true };
    expect(splitPayload(row)).toEqual({ sent: row, remote: undefined });
  });

  it('has nothing for a missing payload', () => {
    expect(splitPayload(null)).toEqual({ sent: undefined, remote: undefined });
    expect(splitPayload(undefined)).toEqual({ sent: undefined, remote: undefined });
  });
});

describe('formatJson and parseMaybeJson', () => {
  it('indents JSON and leaves text as is', () => {
    expect(formatJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(formatJson('plain')).toBe('plain');
    expect(formatJson(undefined)).toBe('');
    expect(formatJson(null)).toBe('null');
    expect(parseMaybeJson('[1, 2]')).toEqual([1, 2]);
    expect(parseMaybeJson('{broken')).toBe('{broken');
    expect(parseMaybeJson(3)).toBe(3);
  });

  it('never throws on a cycle', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatJson(cyclic)).toBe('[object Object]');
  });
});

describe('lastFailureFor', () => {
  const entry = (id: number, over: Partial<ActivityEntry> = {}): ActivityEntry => ({
    id,
    at: '2024-01-01T00:00:00Z',
    map: 'customers',
    kind: 'error',
    direction: 'toDataverse',
    key: 'DAT|C1',
    operation: 'upsert',
    status: 'failed',
    message: 'm',
    latencyMs: null,
    payload: { sent: { id }, remote: null },
    errorClass: null,
    ...over,
  });

  it('finds the newest failure of that map and key', () => {
    const entries = [
      entry(3),
      entry(9),
      entry(5),
      entry(12, { map: 'vendors' }),
      entry(13, { key: 'DAT|C2' }),
      entry(14, { kind: 'row', status: 'succeeded' }),
      entry(15, { status: 'conflict' }),
    ];
    expect(lastFailureFor(entries, 'customers', 'DAT|C1')?.id).toBe(9);
    expect(lastFailureFor(entries, 'customers', 'DAT|C9')).toBeUndefined();
    expect(lastFailureFor(entries, 'customers', null)).toBeUndefined();
  });
});
