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

/**
 * A file name for an activity export made at `now`: duet-activity-2026-12-06T21-30-00.csv
 * (the window's save dialog proposes it; the backend writes the activity CSV itself).
 */
export function activityCsvFileName(now: Date = new Date()): string {
  return `duet-activity-${now.toISOString().slice(0, 19).replace(/:/g, '-')}.csv`;
}
