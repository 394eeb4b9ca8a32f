import {
  Badge,
  Body1,
  Button,
  Tab,
  TabList,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownload16Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { BootstrapReport } from '../../bindings/BootstrapReport';
import {
  bootstrapCounts,
  bootstrapCsv,
  bootstrapFileName,
  filterBootstrapRows,
  type BootstrapFilter,
} from '../../lib/bootstrap';
import { downloadText } from '../../lib/download';
import { formatCount } from '../../lib/format';

const useStyles = makeStyles({
  block: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  bar: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  scroll: {
    maxHeight: '320px',
    overflow: 'auto',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  head: { position: 'sticky', top: 0, backgroundColor: tokens.colorNeutralBackground1, zIndex: 1 },
  table: { minWidth: '560px', tableLayout: 'auto' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, whiteSpace: 'nowrap' },
  id: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase100, whiteSpace: 'nowrap' },
  muted: { color: tokens.colorNeutralForeground3, padding: tokens.spacingHorizontalM },
});

const FILTERS: [BootstrapFilter, string][] = [
  ['all', 'All'],
  ['matched', 'Matched'],
  ['unmatched', 'Unmatched'],
];

/** Every row of a bootstrap report: filtered by matched or not, scrollable, and exported as CSV. */
export function BootstrapRows({ report }: { report: BootstrapReport }) {
  const styles = useStyles();
  const [filter, setFilter] = useState<BootstrapFilter>('all');
  const counts = bootstrapCounts(report.rows);
  const rows = filterBootstrapRows(report.rows, filter);
  return (
    <div className={styles.block}>
      <div className={styles.bar}>
        <TabList
          size="small"
          selectedValue={filter}
          onTabSelect={(_, d) => setFilter(d.value as BootstrapFilter)}
          data-testid="bootstrap-filter"
        >
          {FILTERS.map(([value, label]) => (
            <Tab key={value} value={value} data-testid={`bootstrap-filter-${value}`}>
              {label} ({formatCount(counts[value])})
            </Tab>
          ))}
        </TabList>
        <Button
          size="small"
          icon={<ArrowDownload16Regular />}
          disabled={report.rows.length === 0}
          onClick={() => downloadText(bootstrapCsv(report), bootstrapFileName(report, new Date()), 'text/csv;charset=utf-8')}
          data-testid="bootstrap-export"
        >
          Export CSV
        </Button>
      </div>
      <div className={styles.scroll}>
        <Table size="extra-small" className={styles.table} aria-label={`Bootstrap rows of ${report.map}`} data-testid="bootstrap-rows">
          <TableHeader className={styles.head}>
            <TableRow>
              <TableHeaderCell>Key</TableHeaderCell>
              <TableHeaderCell>Dataverse id</TableHeaderCell>
              <TableHeaderCell>Company</TableHeaderCell>
              <TableHeaderCell>Match</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((row) => (
              <TableRow key={row.dataverseId} data-testid="bootstrap-row" data-matched={row.matched}>
                <TableCell className={styles.mono}>{row.key || '—'}</TableCell>
                <TableCell className={styles.id}>{row.dataverseId}</TableCell>
                <TableCell>{row.company}</TableCell>
                <TableCell>
                  <Badge appearance="tint" color={row.matched ? 'success' : 'warning'}>
                    {row.matched ? 'matched' : 'unmatched'}
                  </Badge>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {rows.length === 0 ? <Body1 className={styles.muted}>No rows.</Body1> : null}
      </div>
    </div>
  );
}
