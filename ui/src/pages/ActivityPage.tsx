import { Badge, Body1, Caption1, Card, Input, Spinner, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { Search20Regular } from '@fluentui/react-icons';
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { ApiError } from '../bindings/ApiError';
import { ActivityEntryDetail } from '../components/ChangeDetail';
import { ChangeTable, Dash, RowTime, type ChangeColumn, type ChangeExpansion } from '../components/ChangeTable';
import { ErrorBar } from '../components/ErrorBar';
import { PageHeader } from '../components/PageHeader';
import { filterActivity, mergeActivity } from '../lib/activity';
import { formatCount } from '../lib/format';
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
  table: { minWidth: '1140px', tableLayout: 'fixed' },
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
  errorRow: { backgroundColor: tokens.colorPaletteRedBackground1 },
  sentinel: { height: tokens.spacingVerticalXXS },
});

export function ActivityPage() {
  const styles = useStyles();
  const { columns, expansion, rowClassName } = useActivityTable();
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
          <ChangeTable
            items={visible}
            itemKey={entryId}
            columns={columns}
            expansion={expansion}
            ariaLabel="Activity"
            testId="activity-table"
            className={styles.table}
            rowTestId="activity-row"
            rowData={rowData}
            rowClassName={rowClassName}
            empty={{ testId: 'activity-empty', text: entries.length === 0 ? 'No activity yet.' : 'No entries match the filter.' }}
          />
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

const entryId = (entry: ActivityEntry) => entry.id;
const rowData = (entry: ActivityEntry) => ({ 'data-id': entry.id, 'data-kind': entry.kind });

/** The table's columns and detail row; stable between renders so unchanged rows are not redrawn. */
function useActivityTable() {
  const styles = useStyles();
  return useMemo(() => {
    const columns: ChangeColumn<ActivityEntry>[] = [
      { id: 'time', header: 'Time', headerClassName: styles.colTime, cellClassName: styles.cell, render: (e) => <RowTime iso={e.at} /> },
      { id: 'map', header: 'Map', headerClassName: styles.colMap, cellClassName: mergeClasses(styles.cell, styles.mono), render: (e) => e.map },
      { id: 'kind', header: 'Kind', headerClassName: styles.colKind, cellClassName: styles.cell, render: (e) => kindLabel(e.kind) },
      {
        id: 'direction',
        header: 'Direction',
        headerClassName: styles.colDirection,
        cellClassName: styles.cell,
        render: (e) => (e.direction ? directionLabel(e.direction) : <Dash />),
      },
      {
        id: 'key',
        header: 'Key',
        headerClassName: styles.colKey,
        cellClassName: mergeClasses(styles.cell, styles.mono),
        title: (e) => e.key ?? undefined,
        render: (e) => e.key ?? <Dash />,
      },
      { id: 'operation', header: 'Operation', headerClassName: styles.colOperation, cellClassName: styles.cell, render: (e) => e.operation ?? <Dash /> },
      {
        id: 'status',
        header: 'Status',
        headerClassName: styles.colStatus,
        cellClassName: styles.cell,
        render: (e) => (
          <Badge appearance="tint" color={statusColor(e.status, e.kind)} data-testid="activity-status">
            {e.status}
          </Badge>
        ),
      },
      {
        id: 'message',
        header: 'Message',
        cellClassName: styles.messageCell,
        title: (e) => e.message,
        render: (e) => <span className={styles.message}>{e.message}</span>,
      },
      {
        id: 'latency',
        header: 'Latency (ms)',
        numeric: true,
        headerClassName: styles.colLatency,
        cellClassName: styles.cell,
        render: (e) => (e.latencyMs === null ? <Dash /> : formatCount(e.latencyMs)),
      },
    ];
    const expansion: ChangeExpansion<ActivityEntry> = {
      what: 'details',
      headerLabel: 'Details',
      toggleTestId: 'activity-row-toggle',
      detailTestId: 'activity-row-detail',
      render: (e) => <ActivityEntryDetail entry={e} />,
    };
    const rowClassName = (e: ActivityEntry) => (e.kind === 'error' ? styles.errorRow : undefined);
    return { columns, expansion, rowClassName };
  }, [styles]);
}
