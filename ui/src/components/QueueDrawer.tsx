import {
  Badge,
  Button,
  Caption1,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Input,
  OverlayDrawer,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowClockwise16Regular,
  ArrowRepeatAll16Regular,
  Dismiss24Regular,
  Search20Regular,
} from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ApiError } from '../bindings/ApiError';
import type { MapView } from '../bindings/MapView';
import type { QueuedChangeView } from '../bindings/QueuedChangeView';
import { formatCount, formatDateTime } from '../lib/format';
import { stateColor, stateLabel } from '../lib/labels';
import { countOf, isRetryable, queueStatusColor, queueStatusLabel, retryableCount, sideLabel } from '../lib/queue';
import { ChangeDetail } from './ChangeDetail';
import { ChangeTable, ErrorText, KeyText, RowTime, type ChangeColumn, type ChangeExpansion } from './ChangeTable';
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
  nowrap: { whiteSpace: 'nowrap' },
  muted: { color: tokens.colorNeutralForeground3 },
  failedRow: { backgroundColor: tokens.colorPaletteRedBackground1 },
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

  const columns: ChangeColumn<QueuedChangeView>[] = [
    { id: 'seq', header: 'Seq', numeric: true, render: (c) => c.seq },
    {
      id: 'captured',
      header: 'Captured',
      cellClassName: styles.nowrap,
      title: (c) => formatDateTime(c.capturedAt),
      render: (c) => <RowTime iso={c.capturedAt} />,
    },
    { id: 'side', header: 'Side', cellClassName: styles.nowrap, render: (c) => sideLabel(c.side) },
    { id: 'operation', header: 'Operation', render: (c) => c.operation },
    { id: 'key', header: 'Key', render: (c) => <KeyText value={c.key} testId="queue-row-key" /> },
    {
      id: 'status',
      header: 'Status',
      render: (c) => (
        <Badge appearance="tint" color={queueStatusColor(c.status)} data-testid="queue-row-status">
          {queueStatusLabel(c.status)}
        </Badge>
      ),
    },
    { id: 'attempts', header: 'Attempts', numeric: true, render: (c) => c.attempts },
    { id: 'error', header: 'Error', render: (c) => <ErrorText value={c.error} /> },
    {
      id: 'actions',
      label: 'Actions',
      render: (c) =>
        isRetryable(c) ? (
          <Button size="small" disabled={busy !== null} onClick={() => void retry(c.seq)} data-testid={`retry-${c.seq}`}>
            Retry
          </Button>
        ) : null,
    },
  ];
  const expansion: ChangeExpansion<QueuedChangeView> = {
    what: 'captured row',
    headerLabel: 'Captured row',
    toggleTestId: 'queue-row-toggle',
    detailTestId: 'queue-row-detail',
    render: (c) => (
      <ChangeDetail
        facts={[
          { label: 'Captured', value: formatDateTime(c.capturedAt) },
          { label: 'Side', value: sideLabel(c.side) },
          { label: 'Key', value: <KeyText value={c.key} /> },
          { label: 'Status', value: queueStatusLabel(c.status) },
          { label: 'Attempts', value: formatCount(c.attempts) },
        ]}
        message={c.error}
        failure
        json={[{ label: 'Captured row', value: c.row, testId: 'queue-row-json', missing: 'No row was captured.' }]}
      />
    ),
  };

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
            <ChangeTable
              items={changes}
              itemKey={(c) => c.seq}
              columns={columns}
              expansion={expansion}
              ariaLabel={`Queued changes of ${map.title}`}
              testId="queue-table"
              className={styles.table}
              rowTestId="queue-row"
              rowData={(c) => ({ 'data-seq': c.seq, 'data-status': c.status })}
              rowClassName={(c) => (c.status === 'failed' ? styles.failedRow : undefined)}
              empty={{
                testId: 'queue-empty',
                text: key ? 'No change in the queue has a key containing that text.' : 'The queue is empty.',
              }}
            />
          </>
        )}
      </DrawerBody>
    </OverlayDrawer>
  );
}
