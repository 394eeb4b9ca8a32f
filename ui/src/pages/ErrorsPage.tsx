import { Badge, Body1, Button, Caption1, Card, Checkbox, Spinner, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowClockwise16Regular, ArrowRedo16Regular, ArrowRepeatAll16Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { ApiError } from '../bindings/ApiError';
import type { MapView } from '../bindings/MapView';
import type { QueuedChangeView } from '../bindings/QueuedChangeView';
import { ActivityEntryDetail, ChangeDetail, type DetailJson } from '../components/ChangeDetail';
import { ChangeTable, Dash, ErrorText, KeyText, RowTime, type ChangeColumn, type ChangeExpansion } from '../components/ChangeTable';
import { ErrorBar } from '../components/ErrorBar';
import { useNotify } from '../components/notify';
import { PageHeader } from '../components/PageHeader';
import { mergeActivity } from '../lib/activity';
import { lastFailureFor, splitPayload } from '../lib/entryDetail';
import { buildErrorGroups, conflictLosers, totalFailed, type ErrorGroup } from '../lib/errors';
import { formatCount, formatDateTime } from '../lib/format';
import { directionLabel } from '../lib/labels';
import { mergeMaps, upsertMap } from '../lib/maps';
import { countOf, sideLabel } from '../lib/queue';

/** How many queued changes one map's load reads (failed ones are picked out of them). */
const QUEUE_LIMIT = 1000;
const ACTIVITY_LIMIT = 2000;
/** Map changes come in bursts: reload at most this often. */
const RELOAD_DEBOUNCE_MS = 500;

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '1400px' },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  groupHeader: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
    flexWrap: 'wrap',
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalM,
  },
  groupTitle: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  groupActions: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  selectCol: { width: '44px' },
  card: { padding: 0, overflowX: 'auto' },
  table: { minWidth: '1000px', tableLayout: 'auto' },
  nowrap: { whiteSpace: 'nowrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  empty: { padding: tokens.spacingHorizontalXXL, textAlign: 'center', color: tokens.colorNeutralForeground3 },
});

export function ErrorsPage() {
  const styles = useStyles();
  const notify = useNotify();
  const [maps, setMaps] = useState<MapView[] | null>(null);
  const [queues, setQueues] = useState<Record<string, QueuedChangeView[]>>({});
  const [activity, setActivity] = useState<ActivityEntry[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [queueErrors, setQueueErrors] = useState<Record<string, ApiError>>({});
  const [activityError, setActivityError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    let list: MapView[];
    try {
      list = await backend.maps();
    } catch (e) {
      if (mine === generation.current) setError(toApiError(e));
      return;
    }
    if (mine !== generation.current) return;
    setMaps((current) => mergeMaps(current, list));
    setError(null);
    const results = await Promise.all(
      list.map((m) =>
        backend.queuedChanges(m.name, { limit: QUEUE_LIMIT }).then(
          (changes) => ({ name: m.name, changes, error: null }),
          (e: unknown) => ({ name: m.name, changes: null, error: toApiError(e) }),
        ),
      ),
    );
    if (mine !== generation.current) return;
    const nextQueues: Record<string, QueuedChangeView[]> = {};
    const nextErrors: Record<string, ApiError> = {};
    for (const r of results) {
      if (r.changes) nextQueues[r.name] = r.changes;
      if (r.error) nextErrors[r.name] = r.error;
    }
    setQueues(nextQueues);
    setQueueErrors(nextErrors);
  }, []);

  const loadActivity = useCallback(() => {
    backend.activity(ACTIVITY_LIMIT).then(
      (value) => {
        setActivity((current) => mergeActivity(current, value));
        setActivityError(null);
      },
      (e: unknown) => setActivityError(toApiError(e)),
    );
  }, []);

  const refresh = useCallback(() => {
    void load();
    loadActivity();
  }, [load, loadActivity]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One reload for a burst of events: a change failing, or a map changing, reloads the
    // maps and their failed changes at most once per interval, even while failures stream in.
    const reloadSoon = () => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        void load();
      }, RELOAD_DEBOUNCE_MS);
    };
    const unsubscribe = backend.subscribe((event) => {
      if (event.type === 'activity' && (event.entry.status === 'conflict' || event.entry.kind === 'error')) {
        setActivity((current) => mergeActivity(current, [event.entry]));
        if (event.entry.kind === 'error') reloadSoon();
      }
      if (event.type === 'mapChanged') {
        setMaps((current) => (current ? upsertMap(current, event.map) : current));
        reloadSoon();
      }
    });
    refresh();
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [load, refresh]);

  const groups = maps ? buildErrorGroups(maps, queues) : [];
  const conflicts = conflictLosers(activity);

  const retryOne = async (group: ErrorGroup, change: QueuedChangeView) => {
    setBusy(`${group.map}:${change.seq}`);
    try {
      const updated = await backend.retryChanges(group.map, change.seq);
      setMaps((current) => (current ? upsertMap(current, updated) : current));
      notify.success(`Queued change #${change.seq} of ${group.title} again`, `${countOf(updated.queued, 'change')} now queued`);
    } catch (e) {
      notify.error(`Cannot retry change #${change.seq} of ${group.title}`, toApiError(e));
    } finally {
      setBusy(null);
      void load();
    }
  };

  /**
   * Retries changes one by one, oldest first, so they keep their order; `onDone` counts
   * those queued again so far. Returns the map as the last retry left it.
   */
  const retryEach = async (map: string, seqs: readonly number[], onDone: () => void) => {
    let updated: MapView | undefined;
    for (const seq of [...seqs].sort((a, b) => a - b)) {
      updated = await backend.retryChanges(map, seq);
      onDone();
    }
    return updated;
  };

  /** Retries the chosen changes. */
  const retrySelected = async (group: ErrorGroup, seqs: readonly number[]) => {
    setBusy(group.map);
    let done = 0;
    try {
      const updated = await retryEach(group.map, seqs, () => (done += 1));
      if (updated) {
        const map = updated;
        setMaps((current) => (current ? upsertMap(current, map) : current));
      }
      notify.success(
        `Queued again ${countOf(done, 'selected change')} of ${group.title}`,
        updated ? `${countOf(updated.queued, 'change')} now queued` : undefined,
      );
    } catch (e) {
      notify.error(
        `Cannot retry the selected changes of ${group.title} (${formatCount(done)} of ${formatCount(seqs.length)} queued again)`,
        toApiError(e),
      );
    } finally {
      setBusy(null);
      void load();
    }
  };

  /**
   * Retries only the failed changes: one call when nothing is parked (the
   * backend's "retry all" takes parked ones too), else one call per change.
   */
  const retryAllFailed = async (group: ErrorGroup) => {
    setBusy(group.map);
    try {
      const updated =
        group.parked === 0
          ? await backend.retryChanges(group.map)
          : await retryEach(
              group.map,
              group.failed.map((c) => c.seq),
              () => undefined,
            );
      if (updated) {
        const map = updated;
        setMaps((current) => (current ? upsertMap(current, map) : current));
      }
      notify.success(
        `Queued again the failed changes of ${group.title}`,
        updated ? `${countOf(updated.queued, 'change')} now queued` : undefined,
      );
    } catch (e) {
      notify.error(`Cannot retry the failed changes of ${group.title}`, toApiError(e));
    } finally {
      setBusy(null);
      void load();
    }
  };

  return (
    <div className={styles.page} data-testid="page-errors">
      <PageHeader
        title="Errors"
        description="Changes the other side refused, kept for retry, and changes that lost a conflict."
        actions={
          <Button icon={<ArrowClockwise16Regular />} onClick={refresh} data-testid="errors-refresh">
            Refresh
          </Button>
        }
      />
      {error ? <ErrorBar title="Cannot load the maps" error={error} onRetry={refresh} /> : null}

      <section className={styles.section} aria-labelledby="failed-title">
        <Subtitle2 as="h3" id="failed-title">
          Failed changes {maps ? <span className={styles.muted}>({formatCount(totalFailed(groups))})</span> : null}
        </Subtitle2>
        {maps === null ? (
          error ? null : <Spinner label="Loading failed changes…" />
        ) : groups.length === 0 && Object.keys(queueErrors).length === 0 ? (
          <Card>
            <div className={styles.empty} data-testid="failed-empty">
              No failed changes: every map applied what it captured.
            </div>
          </Card>
        ) : null}
        {Object.entries(queueErrors).map(([name, e]) => (
          <ErrorBar key={name} title={`Cannot load the queue of ${name}`} error={e} onRetry={refresh} />
        ))}
        {groups.map((group) => (
          <FailedGroup
            key={group.map}
            group={group}
            activity={activity}
            busy={busy}
            onRetry={(change) => void retryOne(group, change)}
            onRetrySelected={(seqs) => void retrySelected(group, seqs)}
            onRetryAll={() => void retryAllFailed(group)}
          />
        ))}
      </section>

      <section className={styles.section} aria-labelledby="conflicts-title">
        <Subtitle2 as="h3" id="conflicts-title">
          Conflict losers <span className={styles.muted}>({formatCount(conflicts.length)})</span>
        </Subtitle2>
        <Caption1 className={styles.muted}>
          Rows changed on both sides before either was applied: the map's master side won and these changes were not applied.
        </Caption1>
        {activityError ? <ErrorBar title="Cannot load the activity log" error={activityError} onRetry={loadActivity} /> : null}
        <ConflictTable conflicts={conflicts} />
      </section>
    </div>
  );
}

function FailedGroup({
  group,
  activity,
  busy,
  onRetry,
  onRetrySelected,
  onRetryAll,
}: {
  group: ErrorGroup;
  activity: readonly ActivityEntry[];
  busy: string | null;
  onRetry: (change: QueuedChangeView) => void;
  onRetrySelected: (seqs: readonly number[]) => void;
  onRetryAll: () => void;
}) {
  const styles = useStyles();
  const [picked, setPicked] = useState<ReadonlySet<number>>(new Set());
  // Only changes still listed count: a retried or settled one leaves the selection.
  const selected = useMemo(() => group.failed.filter((c) => picked.has(c.seq)).map((c) => c.seq), [group.failed, picked]);
  const allSelected = group.failed.length > 0 && selected.length === group.failed.length;
  const toggle = (seq: number, on: boolean) =>
    setPicked((current) => {
      const next = new Set(current);
      if (on) next.add(seq);
      else next.delete(seq);
      return next;
    });
  const columns: ChangeColumn<QueuedChangeView>[] = [
    {
      id: 'select',
      label: 'Select',
      headerClassName: styles.selectCol,
      header: (
        <Checkbox
          aria-label={`Select every failed change of ${group.title}`}
          checked={allSelected ? true : selected.length > 0 ? 'mixed' : false}
          onChange={(_, data) => setPicked(data.checked === true ? new Set(group.failed.map((c) => c.seq)) : new Set())}
          data-testid="failed-select-all"
        />
      ),
      render: (c) => (
        <Checkbox
          aria-label={`Select change #${c.seq}`}
          checked={picked.has(c.seq)}
          onChange={(_, data) => toggle(c.seq, data.checked === true)}
          data-testid={`failed-select-${c.seq}`}
        />
      ),
    },
    { id: 'key', header: 'Key', render: (c) => <KeyText value={c.key} /> },
    { id: 'side', header: 'Side', cellClassName: styles.nowrap, render: (c) => sideLabel(c.side) },
    { id: 'operation', header: 'Operation', render: (c) => c.operation },
    { id: 'attempts', header: 'Attempts', numeric: true, render: (c) => c.attempts },
    { id: 'error', header: 'Error', render: (c) => <ErrorText value={c.error} /> },
    {
      id: 'captured',
      header: 'Captured',
      cellClassName: styles.nowrap,
      title: (c) => formatDateTime(c.capturedAt),
      render: (c) => <RowTime iso={c.capturedAt} />,
    },
    {
      id: 'actions',
      label: 'Actions',
      render: (c) => (
        <Button size="small" disabled={busy !== null} onClick={() => onRetry(c)} data-testid={`failed-retry-${c.seq}`}>
          Retry
        </Button>
      ),
    },
  ];
  const expansion: ChangeExpansion<QueuedChangeView> = {
    what: 'details',
    headerLabel: 'Details',
    toggleTestId: 'failed-row-toggle',
    detailTestId: 'failed-row-detail',
    render: (c) => <FailedChangeDetail change={c} failure={lastFailureFor(activity, group.map, c.key)} />,
  };
  return (
    <Card className={styles.card} data-testid={`failed-group-${group.map}`}>
      <div className={styles.groupHeader}>
        <div className={styles.groupTitle}>
          <Body1>
            <strong>{group.title}</strong> <span className={styles.mono}>{group.map}</span>
          </Body1>
          <Badge appearance="tint" color="danger" data-testid="failed-count">
            {formatCount(group.failedTotal)} failed
          </Badge>
          {group.failed.length < group.failedTotal ? (
            <Caption1 className={styles.muted}>showing {formatCount(group.failed.length)}</Caption1>
          ) : null}
        </div>
        <div className={styles.groupActions}>
          <Button
            icon={<ArrowRedo16Regular />}
            disabled={busy !== null || selected.length === 0}
            onClick={() => {
              onRetrySelected(selected);
              setPicked(new Set());
            }}
            data-testid={`retry-selected-${group.map}`}
          >
            Retry selected{selected.length > 0 ? ` (${formatCount(selected.length)})` : ''}
          </Button>
          <Button
            appearance="primary"
            icon={<ArrowRepeatAll16Regular />}
            disabled={busy !== null}
            onClick={onRetryAll}
            data-testid={`retry-failed-${group.map}`}
          >
            Retry all failed
          </Button>
        </div>
      </div>
      <ChangeTable
        items={group.failed}
        itemKey={(c) => c.seq}
        columns={columns}
        expansion={expansion}
        ariaLabel={`Failed changes of ${group.title}`}
        className={styles.table}
        rowTestId="failed-row"
        rowData={(c) => ({ 'data-seq': c.seq })}
      />
    </Card>
  );
}

/**
 * A failed change: the queue knows its error, attempts and the captured row;
 * the newest failure logged for its key adds what was sent and what the
 * remote answered.
 */
function FailedChangeDetail({ change, failure }: { change: QueuedChangeView; failure: ActivityEntry | undefined }) {
  const { sent, remote } = splitPayload(failure?.payload);
  const json: DetailJson[] = [{ label: 'Captured row', value: change.row, testId: 'failed-row-json' }];
  if (failure) {
    json.push({
      label: 'Payload sent',
      value: sent,
      testId: 'failed-row-sent',
      missing: 'No payload was stored with this failure.',
      missingTestId: 'failed-row-no-sent',
    });
    if (remote !== undefined) json.push({ label: 'Remote response', value: remote, testId: 'failed-row-remote' });
  }
  return (
    <ChangeDetail
      facts={[
        { label: 'Captured', value: formatDateTime(change.capturedAt) },
        {
          label: 'Direction',
          value: failure?.direction ? directionLabel(failure.direction) : `From ${sideLabel(change.side)}`,
          testId: 'failed-row-direction',
        },
        { label: 'Key', value: <KeyText value={change.key} /> },
        { label: 'Operation', value: change.operation },
        { label: 'Attempts', value: formatCount(change.attempts), testId: 'failed-row-attempts' },
        ...(failure ? [{ label: 'Last failure logged', value: formatDateTime(failure.at) }] : []),
      ]}
      message={change.error ?? failure?.message ?? null}
      failure
      json={json}
    />
  );
}

const conflictExpansion: ChangeExpansion<ActivityEntry> = {
  what: 'payload',
  headerLabel: 'Payload',
  toggleTestId: 'conflict-row-toggle',
  render: (e) => <ActivityEntryDetail entry={e} payloadTestId="conflict-payload" noPayloadTestId="conflict-no-payload" />,
};

function ConflictTable({ conflicts }: { conflicts: readonly ActivityEntry[] }) {
  const styles = useStyles();
  const columns = useMemo<ChangeColumn<ActivityEntry>[]>(
    () => [
      { id: 'time', header: 'Time', cellClassName: styles.nowrap, render: (e) => <RowTime iso={e.at} /> },
      { id: 'map', header: 'Map', render: (e) => <KeyText value={e.map} /> },
      { id: 'key', header: 'Key', render: (e) => <KeyText value={e.key} /> },
      { id: 'winner', header: 'Winner', cellClassName: styles.nowrap, render: (e) => (e.direction ? directionLabel(e.direction) : <Dash />) },
      { id: 'message', header: 'What happened', render: (e) => e.message },
    ],
    [styles],
  );
  return (
    <Card className={styles.card}>
      <ChangeTable
        items={conflicts}
        itemKey={(e) => e.id}
        columns={columns}
        expansion={conflictExpansion}
        ariaLabel="Conflict losers"
        testId="conflicts-table"
        className={styles.table}
        rowTestId="conflict-row"
        rowData={(e) => ({ 'data-id': e.id })}
        empty={{ testId: 'conflicts-empty', text: 'No conflicts in the recent activity.' }}
      />
    </Card>
  );
}
