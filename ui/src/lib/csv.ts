import type { ActivityEntry } from '../bindings/ActivityEntry';

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or edge
 * spaces (which spreadsheets would trim), with quotes doubled.
 */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV record, without its line break. */
export function csvRecord(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}

export const ACTIVITY_CSV_COLUMNS = [
  'id',
  'at',
  'map',
  'kind',
  'direction',
  'key',
  'operation',
  'status',
  'latencyMs',
  'message',
  'payload',
] as const;

/** An activity line as CSV fields: empty for a missing value, the payload as JSON text. */
export function activityCsvFields(entry: ActivityEntry): string[] {
  return [
    String(entry.id),
    entry.at,
    entry.map,
    entry.kind,
    entry.direction ?? '',
    entry.key ?? '',
    entry.operation ?? '',
    entry.status,
    entry.latencyMs === null ? '' : String(entry.latencyMs),
    entry.message,
    entry.payload === null || entry.payload === undefined ? '' : JSON.stringify(entry.payload),
  ];
}

/** The header record and one record per line, each ended by CRLF. */
export function activityCsv(entries: readonly ActivityEntry[]): string {
  const records = [csvRecord(ACTIVITY_CSV_COLUMNS), ...entries.map((e) => csvRecord(activityCsvFields(e)))];
  return records.map((r) => `${r}\r\n`).join('');
}

/** A file name for an export made at `now`: duet-activity-2026-12-06T21-30-00.csv. */
export function activityCsvFileName(now: Date = new Date()): string {
  return `duet-activity-${now.toISOString().slice(0, 19).replace(/:/g, '-')}.csv`;
}
