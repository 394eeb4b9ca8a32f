import {
  Badge,
  Body1,
  Button,
  Caption1,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Input,
  OverlayDrawer,
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
import {
  ArrowClockwise16Regular,
  ArrowRepeatAll16Regular,
  ChevronDown16Regular,
  ChevronRight16Regular,
  Dismiss24Regular,
  Search20Regular,
} from '@fluentui/react-icons';
import { Fragment, useEffect, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ApiError } from '../bindings/ApiError';
import type { MapView } from '../bindings/MapView';
import type { QueuedChangeView } from '../bindings/QueuedChangeView';
import { formatCount, formatDateTime, formatRowTime } from '../lib/format';
import { stateColor, stateLabel } from '../lib/labels';
import { countOf, formatRow, isRetryable, queueStatusColor, queueStatusLabel, retryableCount, sideLabel } from '../lib/queue';
import { ErrorBar } from './ErrorBar';
import { useNotify } from './notify';

/** How many changes one load shows. */
export const QUEUE_LIMIT = 500;
/** Captures while paused do not always announce themselves: look again this often while open. */
const POLL_MS = 5_000;
/** Wait after typing in the filter before asking the backend. */
const FILTER_DEBOUNCE_MS = 250;

const useStyles = makeStyles({
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, paddingBottom: tokens.spacingVerticalXL },
  summary: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  toolbar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  filter: { flexGrow: 1, minWidth: '220px' },
  table: { tableLayout: 'auto' },
  expandCol: { width: '36px' },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  numHeader: { justifyContent: 'flex-end' },
  nowrap: { whiteSpace: 'nowrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  error: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  failedRow: { backgroundColor: tokens.colorPaletteRedBackground1 },
  jsonRow: { backgroundColor: tokens.colorNeutralBackground2, ':hover': { backgroundColor: tokens.colorNeutralBackground2 } },
  json: {
    margin: 0,
    padding: tokens.spacingHorizontalM,
    maxHeight: '320px',
    overflow: 'auto',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
  empty: { padding: tokens.spacingHorizontalXXL, textAlign: 'center', color: tokens.colorNeutralForeground3 },
});

/**
 * The durable queue of one map: what was captured while paused, what a skip
 * parked, and what the target refused. Mount it only while it is open (keyed
 * by map name) so each opening starts fresh.
 */
export function QueueDrawer({
  map,
  onClose,
  onMapUpdated,
}: {
  map: MapView;
  onClose: () => void;
  onMapUpdated: (map: MapView) => void;
}) {
  const styles = useStyles();
  const notify = useNotify();
  const name = map.name;
  const [changes, setChanges] = useState<QueuedChangeView[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [filter, setFilter] = useState('');
  const [key, setKey] = useState('');
  const [tick, setTick] = useState(0);
  const [expanded, setExpanded] = useState<Record<number, boolean>>({});
  const [busy, setBusy] = useState<number | 'all' | null>(null);

  const refresh = () => setTick((t) => t + 1);

  // Live refresh: a mapChanged event for this map, and a slow poll as a safety net.
  useEffect(() => {
    const unsubscribe = backend.subscribe((event) => {
      if (event.type === 'mapChanged' && event.map.name === name) setTick((t) => t + 1);
    });
    const timer = setInterval(() => setTick((t) => t + 1), POLL_MS);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [name]);

  // Debounce the key filter.
  useEffect(() => {
    const timer = setTimeout(() => setKey(filter.trim()), FILTER_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [filter]);

  // Load on open, on filter change and on every refresh; a newer load drops an older answer.
  useEffect(() => {
    let current = true;
    backend.queuedChanges(name, { key: key || undefined, limit: QUEUE_LIMIT }).then(
      (value) => {
        if (!current) return;
        setChanges(value);
        setError(null);
      },
      (e: unknown) => {
        if (current) setError(toApiError(e));
      },
    );
    return () => {
      current = false;
    };
  }, [name, key, tick]);

  const retry = async (seq?: number) => {
    setBusy(seq ?? 'all');
    try {
      const updated = await backend.retryChanges(name, seq);
      onMapUpdated(updated);
      notify.success(
        seq === undefined ? `Queued again all parked and failed changes of ${map.title}` : `Queued change #${seq} again`,
        `${countOf(updated.queued, 'change')} now queued`,
      );
    } catch (e) {
      notify.error(seq === undefined ? `Cannot retry the changes of ${map.title}` : `Cannot retry change #${seq}`, toApiError(e));
    } finally {
      setBusy(null);
      refresh();
    }
  };

  const anyRetryable = retryableCount(map) > 0 || (changes ?? []).some(isRetryable);

  return (
    <OverlayDrawer
      open
      position="end"
      size="large"
      onOpenChange={(_, data) => {
        if (!data.open) onClose();
      }}
      data-testid={`queue-drawer-${name}`}
    >
      <DrawerHeader>
        <DrawerHeaderTitle
          action={
            <Button appearance="subtle" aria-label="Close queue" icon={<Dismiss24Regular />} onClick={onClose} data-testid="queue-close" />
          }
        >
          Queue of {map.title}
        </DrawerHeaderTitle>
        <div className={styles.summary}>
          <Badge appearance="tint" color={stateColor(map.state)}>
            {stateLabel(map.state)}
          </Badge>
          <Badge appearance="outline" color="informative">
            {formatCount(map.queued)} queued
          </Badge>
          <Badge appearance="outline" color="warning">
            {formatCount(map.parked)} parked
          </Badge>
          <Badge appearance="outline" color="danger">
            {formatCount(map.failed)} failed
          </Badge>
        </div>
      </DrawerHeader>
      <DrawerBody className={styles.body} data-testid="queue-view">
        <div className={styles.toolbar}>
          <Input
            className={styles.filter}
            contentBefore={<Search20Regular />}
            placeholder="Filter by key, e.g. DAT|C0001"
            aria-label="Filter queued changes by key"
            value={filter}
            onChange={(_, data) => setFilter(data.value)}
            data-testid="queue-filter"
          />
          <Button icon={<ArrowClockwise16Regular />} onClick={refresh} data-testid="queue-refresh">
            Refresh
          </Button>
          <Button
            appearance="primary"
            icon={<ArrowRepeatAll16Regular />}
            disabled={busy !== null || !anyRetryable}
            onClick={() => void retry()}
            data-testid="retry-all"
          >
            Retry all
          </Button>
        </div>
        {error ? <ErrorBar title="Cannot load the queue" error={error} onRetry={refresh} /> : null}
        {changes === null ? (
          error ? null : <Spinner label="Loading queue…" />
        ) : (
          <>
            <Caption1 className={styles.muted} data-testid="queue-count">
              {changes.length >= QUEUE_LIMIT
                ? `Showing the oldest ${formatCount(QUEUE_LIMIT)} changes`
                : `${countOf(changes.length, 'change')}${key ? ` with a key containing “${key}”` : ''}, oldest first`}
            </Caption1>
            <Table size="small" className={styles.table} aria-label={`Queued changes of ${map.title}`} data-testid="queue-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell className={styles.expandCol} aria-label="Captured row" />
                  <TableHeaderCell button={{ className: styles.numHeader }}>Seq</TableHeaderCell>
                  <TableHeaderCell>Captured</TableHeaderCell>
                  <TableHeaderCell>Side</TableHeaderCell>
                  <TableHeaderCell>Operation</TableHeaderCell>
                  <TableHeaderCell>Key</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell>
                  <TableHeaderCell button={{ className: styles.numHeader }}>Attempts</TableHeaderCell>
                  <TableHeaderCell>Error</TableHeaderCell>
                  <TableHeaderCell aria-label="Actions" />
                </TableRow>
              </TableHeader>
              <TableBody>
                {changes.length === 0 ? (
                  <TableRow>
                    <TableCell colSpan={10}>
                      <div className={styles.empty} data-testid="queue-empty">
                        {key ? 'No change in the queue has a key containing that text.' : 'The queue is empty.'}
                      </div>
                    </TableCell>
                  </TableRow>
                ) : null}
                {changes.map((change) => {
                  const open = !!expanded[change.seq];
                  return (
                    <Fragment key={change.seq}>
                      <TableRow
                        className={mergeClasses(change.status === 'failed' && styles.failedRow)}
                        data-testid="queue-row"
                        data-seq={change.seq}
                        data-status={change.status}
                      >
                        <TableCell>
                          <Button
                            appearance="subtle"
                            size="small"
                            icon={open ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
                            aria-expanded={open}
                            aria-label={open ? 'Hide captured row' : 'Show captured row'}
                            title={open ? 'Hide captured row' : 'Show captured row'}
                            onClick={() => setExpanded((x) => ({ ...x, [change.seq]: !open }))}
                            data-testid="queue-row-toggle"
                          />
                        </TableCell>
                        <TableCell className={styles.num}>{change.seq}</TableCell>
                        <TableCell className={styles.nowrap} title={formatDateTime(change.capturedAt)}>
                          {formatRowTime(change.capturedAt)}
                        </TableCell>
                        <TableCell className={styles.nowrap}>{sideLabel(change.side)}</TableCell>
                        <TableCell>{change.operation}</TableCell>
                        <TableCell>
                          {change.key ? (
                            <span className={styles.mono} data-testid="queue-row-key">
                              {change.key}
                            </span>
                          ) : (
                            <span className={styles.muted}>—</span>
                          )}
                        </TableCell>
                        <TableCell>
                          <Badge appearance="tint" color={queueStatusColor(change.status)} data-testid="queue-row-status">
                            {queueStatusLabel(change.status)}
                          </Badge>
                        </TableCell>
                        <TableCell className={styles.num}>{change.attempts}</TableCell>
                        <TableCell>
                          {change.error ? <Caption1 className={styles.error}>{change.error}</Caption1> : <span className={styles.muted}>—</span>}
                        </TableCell>
                        <TableCell>
                          {isRetryable(change) ? (
                            <Button
                              size="small"
                              disabled={busy !== null}
                              onClick={() => void retry(change.seq)}
                              data-testid={`retry-${change.seq}`}
                            >
                              Retry
                            </Button>
                          ) : null}
                        </TableCell>
                      </TableRow>
                      {open ? (
                        <TableRow className={styles.jsonRow} data-testid="queue-row-detail">
                          <TableCell colSpan={10}>
                            <Body1 className={styles.muted}>Captured row</Body1>
                            <pre className={styles.json} data-testid="queue-row-json">
                              {formatRow(change.row)}
                            </pre>
                          </TableCell>
                        </TableRow>
                      ) : null}
                    </Fragment>
                  );
                })}
              </TableBody>
            </Table>
          </>
        )}
      </DrawerBody>
    </OverlayDrawer>
  );
}
