import {
  Badge,
  Body1,
  Caption1,
  Card,
  Input,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { Search20Regular } from '@fluentui/react-icons';
import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { ApiError } from '../bindings/ApiError';
import { ErrorBar } from '../components/ErrorBar';
import { PageHeader } from '../components/PageHeader';
import { filterActivity, mergeActivity } from '../lib/activity';
import { formatCount, formatDateTime, formatRowTime } from '../lib/format';
import { directionLabel, kindLabel, statusColor } from '../lib/labels';

/** Rows rendered at first and added each time the end of the list scrolls into view. */
const PAGE = 150;
const LOAD_LIMIT = 500;

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  toolbar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  filter: { width: '360px', maxWidth: '100%' },
  count: { color: tokens.colorNeutralForeground3 },
  card: { padding: 0, overflowX: 'auto' },
  table: { minWidth: '1100px', tableLayout: 'fixed' },
  colTime: { width: '130px' },
  colMap: { width: '100px' },
  colKind: { width: '80px' },
  colDirection: { width: '130px' },
  colKey: { width: '130px' },
  colOperation: { width: '85px' },
  colStatus: { width: '90px' },
  colLatency: { width: '95px' },
  cell: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  messageCell: { paddingBlock: tokens.spacingVerticalXS },
  message: {
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
    overflowWrap: 'anywhere',
  },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  numHeader: { justifyContent: 'flex-end' },
  muted: { color: tokens.colorNeutralForeground4 },
  errorRow: { backgroundColor: tokens.colorPaletteRedBackground1 },
  empty: { padding: tokens.spacingHorizontalXXL, textAlign: 'center', color: tokens.colorNeutralForeground3 },
  sentinel: { height: tokens.spacingVerticalXXS },
});

export function ActivityPage() {
  const styles = useStyles();
  const [entries, setEntries] = useState<ActivityEntry[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [filter, setFilter] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const deferredFilter = useDeferredValue(filter);

  const load = useCallback(() => {
    return backend.activity(LOAD_LIMIT).then(
      (value) => {
        setEntries((current) => mergeActivity(current, value));
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        setError(toApiError(e));
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    // Subscribe first so nothing that happens while the list loads is lost;
    // merging dedupes by id whichever arrives first.
    const unsubscribe = backend.subscribe((event) => {
      if (event.type === 'activity') setEntries((current) => mergeActivity(current, [event.entry]));
    });
    void load();
    return unsubscribe;
  }, [load]);

  const filtered = useMemo(() => filterActivity(entries, deferredFilter), [entries, deferredFilter]);
  const visible = filtered.length > limit ? filtered.slice(0, limit) : filtered;

  const sentinel = useRef<HTMLDivElement>(null);
  const more = filtered.length > visible.length;
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !more || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((items) => {
      if (items.some((i) => i.isIntersecting)) setLimit((l) => l + PAGE);
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [more, limit]);

  return (
    <div className={styles.page} data-testid="page-activity">
      <PageHeader title="Activity" description="Lifecycle events and row changes synced in both directions, newest first." />
      <div className={styles.toolbar}>
        <Input
          className={styles.filter}
          contentBefore={<Search20Regular />}
          placeholder="Filter by key or message"
          aria-label="Filter by key or message"
          value={filter}
          onChange={(_, data) => {
            setFilter(data.value);
            setLimit(PAGE);
          }}
          data-testid="activity-filter"
        />
        <Caption1 className={styles.count} data-testid="activity-count">
          {deferredFilter.trim()
            ? `${formatCount(filtered.length)} of ${formatCount(entries.length)} entries`
            : `${formatCount(entries.length)} entries`}
        </Caption1>
      </div>
      {error ? <ErrorBar title="Cannot load activity" error={error} onRetry={() => void load()} /> : null}
      {loading ? (
        <Spinner label="Loading activity…" />
      ) : error && entries.length === 0 ? null : (
        <Card className={styles.card}>
          <Table className={styles.table} aria-label="Activity" size="small" data-testid="activity-table">
            <TableHeader>
              <TableRow>
                <TableHeaderCell className={styles.colTime}>Time</TableHeaderCell>
                <TableHeaderCell className={styles.colMap}>Map</TableHeaderCell>
                <TableHeaderCell className={styles.colKind}>Kind</TableHeaderCell>
                <TableHeaderCell className={styles.colDirection}>Direction</TableHeaderCell>
                <TableHeaderCell className={styles.colKey}>Key</TableHeaderCell>
                <TableHeaderCell className={styles.colOperation}>Operation</TableHeaderCell>
                <TableHeaderCell className={styles.colStatus}>Status</TableHeaderCell>
                <TableHeaderCell>Message</TableHeaderCell>
                <TableHeaderCell className={styles.colLatency} button={{ className: styles.numHeader }}>
                  Latency (ms)
                </TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {visible.length === 0 ? (
                <TableRow>
                  <TableCell colSpan={9}>
                    <div className={styles.empty} data-testid="activity-empty">
                      {entries.length === 0 ? 'No activity yet.' : 'No entries match the filter.'}
                    </div>
                  </TableCell>
                </TableRow>
              ) : (
                visible.map((entry) => <ActivityRow key={entry.id} entry={entry} />)
              )}
            </TableBody>
          </Table>
          {more ? <div ref={sentinel} className={styles.sentinel} aria-hidden /> : null}
        </Card>
      )}
      {more ? (
        <Body1 className={styles.count}>
          Showing {formatCount(visible.length)} of {formatCount(filtered.length)}; scroll for more.
        </Body1>
      ) : null}
    </div>
  );
}

const ActivityRow = memo(function ActivityRow({ entry }: { entry: ActivityEntry }) {
  const styles = useStyles();
  const dash = <span className={styles.muted}>—</span>;
  return (
    <TableRow
      className={mergeClasses(entry.kind === 'error' && styles.errorRow)}
      data-testid="activity-row"
      data-id={entry.id}
    >
      <TableCell className={styles.cell}>
        <time dateTime={entry.at} title={formatDateTime(entry.at)}>
          {formatRowTime(entry.at)}
        </time>
      </TableCell>
      <TableCell className={mergeClasses(styles.cell, styles.mono)}>{entry.map}</TableCell>
      <TableCell className={styles.cell}>{kindLabel(entry.kind)}</TableCell>
      <TableCell className={styles.cell}>{entry.direction ? directionLabel(entry.direction) : dash}</TableCell>
      <TableCell className={mergeClasses(styles.cell, styles.mono)} title={entry.key ?? undefined}>
        {entry.key ?? dash}
      </TableCell>
      <TableCell className={styles.cell}>{entry.operation ?? dash}</TableCell>
      <TableCell className={styles.cell}>
        <Badge appearance="tint" color={statusColor(entry.status, entry.kind)} data-testid="activity-status">
          {entry.status}
        </Badge>
      </TableCell>
      <TableCell className={styles.messageCell} title={entry.message}>
        <span className={styles.message}>{entry.message}</span>
      </TableCell>
      <TableCell className={mergeClasses(styles.cell, styles.num)}>
        {entry.latencyMs === null ? dash : formatCount(entry.latencyMs)}
      </TableCell>
    </TableRow>
  );
});
