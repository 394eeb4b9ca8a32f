import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import { activityCsv, activityCsvFileName, csvField, csvRecord } from './csv';

const entry = (over: Partial<ActivityEntry> = {}): ActivityEntry => ({
  id: 7,
  at: '2026-12-06T10:00:00.000Z',
  map: 'customers',
  kind: 'row',
  direction: 'toDataverse',
  key: 'DAT|C-1',
  operation: 'upsert',
  status: 'succeeded',
  message: 'upsert in Dataverse',
  latencyMs: 42,
  payload: null,
  ...over,
});

describe('csvField', () => {
  it('leaves plain text as it is', () => {
    expect(csvField('DAT|C-1')).toBe('DAT|C-1');
    expect(csvField('')).toBe('');
  });
  it('quotes commas, quotes and line breaks and doubles quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('one\ntwo')).toBe('"one\ntwo"');
    expect(csvField('one\r\ntwo')).toBe('"one\r\ntwo"');
  });
  it('joins a record with commas', () => {
    expect(csvRecord(['1', 'a,b', 'c'])).toBe('1,"a,b",c');
  });
});

describe('activityCsv', () => {
  it('writes the header and one CRLF-ended record per line', () => {
    const csv = activityCsv([entry()]);
    expect(csv).toBe(
      'id,at,map,kind,direction,key,operation,status,latencyMs,message,payload\r\n' +
        '7,2026-12-06T10:00:00.000Z,customers,row,toDataverse,DAT|C-1,upsert,succeeded,42,upsert in Dataverse,\r\n',
    );
  });
  it('leaves missing values empty', () => {
    const csv = activityCsv([entry({ direction: null, key: null, operation: null, latencyMs: null, kind: 'lifecycle' })]);
    expect(csv.split('\r\n')[1]).toBe('7,2026-12-06T10:00:00.000Z,customers,lifecycle,,,,succeeded,,upsert in Dataverse,');
  });
  it('writes the payload as quoted JSON, with commas, quotes and newlines kept', () => {
    const payload = { name: 'Contoso, "Ltd"', note: 'line one\nline two', creditlimit: 1000 };
    const csv = activityCsv([entry({ payload, message: 'failed (400): "too long"' })]);
    const record = csv.slice(csv.indexOf('\r\n') + 2, -2);
    const json = JSON.stringify(payload);
    expect(record.endsWith(`,"${json.replace(/"/g, '""')}"`)).toBe(true);
    expect(record).toContain(',"failed (400): ""too long""",');
    // The newline inside the JSON is escaped by JSON itself (\n), so the record stays on one line.
    expect(record.split('\r\n')).toHaveLength(1);
  });
  it('keeps a real line break in a message inside the quotes', () => {
    const csv = activityCsv([entry({ message: 'first\r\nsecond' })]);
    expect(csv).toContain(',"first\r\nsecond",');
  });
  it('writes only the header for no lines', () => {
    expect(activityCsv([])).toBe('id,at,map,kind,direction,key,operation,status,latencyMs,message,payload\r\n');
  });
});

describe('activityCsvFileName', () => {
  it('stamps the time without colons', () => {
    expect(activityCsvFileName(new Date('2026-12-06T21:30:05.123Z'))).toBe('duet-activity-2026-12-06T21-30-05.csv');
  });
});
