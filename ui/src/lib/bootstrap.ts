import { csvRecord } from './csv';
import type { BootstrapReport } from '../bindings/BootstrapReport';
import type { BootstrapRow } from '../bindings/BootstrapRow';
import type { TableMap } from '../bindings/TableMap';

/** Which rows of a bootstrap report a table shows. */
export type BootstrapFilter = 'all' | 'matched' | 'unmatched';

export function filterBootstrapRows(rows: readonly BootstrapRow[], filter: BootstrapFilter): BootstrapRow[] {
  if (filter === 'all') return [...rows];
  const matched = filter === 'matched';
  return rows.filter((row) => row.matched === matched);
}

/** How many rows each filter shows. */
export function bootstrapCounts(rows: readonly BootstrapRow[]): Record<BootstrapFilter, number> {
  const matched = rows.filter((row) => row.matched).length;
  return { all: rows.length, matched, unmatched: rows.length - matched };
}

export { csvField } from './csv';

export const BOOTSTRAP_CSV_HEADER = ['key', 'dataverseId', 'company', 'matched'] as const;

/** Every row of a report as CSV, header first, CRLF line ends (what spreadsheets expect). */
export function bootstrapCsv(report: Pick<BootstrapReport, 'rows'>): string {
  const lines = [csvRecord(BOOTSTRAP_CSV_HEADER)];
  for (const row of report.rows) {
    lines.push(csvRecord([row.key, row.dataverseId, row.company, row.matched ? 'matched' : 'unmatched']));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** "bootstrap-customers-dry-run-20260106-1042.csv" */
export function bootstrapFileName(report: Pick<BootstrapReport, 'map' | 'dryRun'>, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  const safe = report.map.replace(/[^A-Za-z0-9_-]+/g, '-');
  return `bootstrap-${safe}${report.dryRun ? '-dry-run' : ''}-${stamp}.csv`;
}

/** What the Stamp button says: the rows a run would write. */
export function stampLabel(count: number): string {
  return `Stamp ${count.toLocaleString('en-US')} ${count === 1 ? 'row' : 'rows'}`;
}

/**
 * Whether bootstrap can run a map, as the backend decides: company-specific (its rows carry
 * a company) with an integration key of plain columns on both sides (no lookup part).
 * `definition` is a map as stored (`map_versions`), read defensively.
 */
export function canBootstrap(definition: unknown): boolean {
  if (typeof definition !== 'object' || definition === null) return false;
  const map = definition as Partial<Pick<TableMap, 'company' | 'key'>>;
  if (!map.company || !map.key) return false;
  const parts = [...(map.key.financeOperations ?? []), ...(map.key.dataverse ?? [])];
  return map.key.financeOperations.length > 0 && map.key.dataverse.length > 0 && parts.every((p) => !p.includes('.'));
}
