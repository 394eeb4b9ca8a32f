import { describe, expect, it } from 'vitest';
import { activityCsvFileName, csvField, csvRecord } from './csv';

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

describe('activityCsvFileName', () => {
  it('stamps the time without colons', () => {
    expect(activityCsvFileName(new Date('2026-12-06T21:30:05.123Z'))).toBe('duet-activity-2026-12-06T21-30-05.csv');
  });
});
