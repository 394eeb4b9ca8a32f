import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  Spinner,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowClockwise16Regular,
  ArrowRepeatAll16Regular,
  ChevronDown16Regular,
  ChevronRight16Regular,
} from '@fluentui/react-icons';
import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { ApiError } from '../bindings/ApiError';
import type { MapView } from '../bindings/MapView';
import type { QueuedChangeView } from '../bindings/QueuedChangeView';
import { ErrorBar } from '../components/ErrorBar';
import { useNotify } from '../components/notify';
import { PageHeader } from '../components/PageHeader';
import { mergeActivity } from '../lib/activity';
import { buildErrorGroups, conflictLosers, conflictPayload, totalFailed, type ErrorGroup } from '../lib/errors';
import { formatCount, formatDateTime, formatRowTime } from '../lib/format';
import { directionLabel } from '../lib/labels';
import { upsertMap } from '../lib/maps';
import { countOf, formatRow, sideLabel } from '../lib/queue';

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
  card: { padding: 0, overflowX: 'auto' },
  table: { minWidth: '1000px', tableLayout: 'auto' },
  expandCol: { width: '36px' },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  numHeader: { justifyContent: 'flex-end' },
  nowrap: { whiteSpace: 'nowrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  error: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
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
    setMaps(list);
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
    const unsubscribe = backend.subscribe((event) => {
      if (event.type === 'activity' && event.entry.status === 'conflict') {
        setActivity((current) => mergeActivity(current, [event.entry]));
      }
      if (event.type === 'mapChanged') {
        setMaps((current) => (current ? upsertMap(current, event.map) : current));
        clearTimeout(timer);
        timer = setTimeout(() => void load(), RELOAD_DEBOUNCE_MS);
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
   * Retries only the failed changes: one call when nothing is parked (the
   * backend's "retry all" takes parked ones too), else one call per change.
   */
  const retryAllFailed = async (group: ErrorGroup) => {
    setBusy(group.map);
    try {
      let updated: MapView | undefined;
      if (group.parked === 0) {
        updated = await backend.retryChanges(group.map);
      } else {
        for (const change of group.failed) updated = await backend.retryChanges(group.map, change.seq);
      }
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
            busy={busy}
            onRetry={(change) => void retryOne(group, change)}
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
  busy,
  onRetry,
  onRetryAll,
}: {
  group: ErrorGroup;
  busy: string | null;
  onRetry: (change: QueuedChangeView) => void;
  onRetryAll: () => void;
}) {
  const styles = useStyles();
  const [expanded, setExpanded] = useState<Record<number, boolean>>({});
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
      <Table size="small" className={styles.table} aria-label={`Failed changes of ${group.title}`}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.expandCol} aria-label="Captured row" />
            <TableHeaderCell>Key</TableHeaderCell>
            <TableHeaderCell>Side</TableHeaderCell>
            <TableHeaderCell>Operation</TableHeaderCell>
            <TableHeaderCell button={{ className: styles.numHeader }}>Attempts</TableHeaderCell>
            <TableHeaderCell>Error</TableHeaderCell>
            <TableHeaderCell>Captured</TableHeaderCell>
            <TableHeaderCell aria-label="Actions" />
          </TableRow>
        </TableHeader>
        <TableBody>
          {group.failed.map((change) => {
            const open = !!expanded[change.seq];
            return (
              <Fragment key={change.seq}>
                <TableRow data-testid="failed-row" data-seq={change.seq}>
                  <TableCell>
                    <Button
                      appearance="subtle"
                      size="small"
                      icon={open ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
                      aria-expanded={open}
                      aria-label={open ? 'Hide captured row' : 'Show captured row'}
                      title={open ? 'Hide captured row' : 'Show captured row'}
                      onClick={() => setExpanded((x) => ({ ...x, [change.seq]: !open }))}
                      data-testid="failed-row-toggle"
                    />
                  </TableCell>
                  <TableCell className={styles.mono}>{change.key ?? <span className={styles.muted}>—</span>}</TableCell>
                  <TableCell className={styles.nowrap}>{sideLabel(change.side)}</TableCell>
                  <TableCell>{change.operation}</TableCell>
                  <TableCell className={styles.num}>{change.attempts}</TableCell>
                  <TableCell>
                    {change.error ? <Caption1 className={styles.error}>{change.error}</Caption1> : <span className={styles.muted}>—</span>}
                  </TableCell>
                  <TableCell className={styles.nowrap} title={formatDateTime(change.capturedAt)}>
                    {formatRowTime(change.capturedAt)}
                  </TableCell>
                  <TableCell>
                    <Button size="small" disabled={busy !== null} onClick={() => onRetry(change)} data-testid={`failed-retry-${change.seq}`}>
                      Retry
                    </Button>
                  </TableCell>
                </TableRow>
                {open ? (
                  <TableRow className={styles.jsonRow}>
                    <TableCell colSpan={8}>
                      <pre className={styles.json} data-testid="failed-row-json">
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
    </Card>
  );
}

function ConflictTable({ conflicts }: { conflicts: readonly ActivityEntry[] }) {
  const styles = useStyles();
  const [expanded, setExpanded] = useState<Record<number, boolean>>({});
  return (
    <Card className={styles.card}>
      <Table size="small" className={styles.table} aria-label="Conflict losers" data-testid="conflicts-table">
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.expandCol} aria-label="Payload" />
            <TableHeaderCell>Time</TableHeaderCell>
            <TableHeaderCell>Map</TableHeaderCell>
            <TableHeaderCell>Key</TableHeaderCell>
            <TableHeaderCell>Winner</TableHeaderCell>
            <TableHeaderCell>What happened</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {conflicts.length === 0 ? (
            <TableRow>
              <TableCell colSpan={6}>
                <div className={styles.empty} data-testid="conflicts-empty">
                  No conflicts in the recent activity.
                </div>
              </TableCell>
            </TableRow>
          ) : null}
          {conflicts.map((entry) => {
            const open = !!expanded[entry.id];
            const payload = conflictPayload(entry);
            return (
              <Fragment key={entry.id}>
                <TableRow data-testid="conflict-row" data-id={entry.id}>
                  <TableCell>
                    <Button
                      appearance="subtle"
                      size="small"
                      icon={open ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
                      aria-expanded={open}
                      aria-label={open ? 'Hide payload' : 'Show payload'}
                      title={open ? 'Hide payload' : 'Show payload'}
                      onClick={() => setExpanded((x) => ({ ...x, [entry.id]: !open }))}
                      data-testid="conflict-row-toggle"
                    />
                  </TableCell>
                  <TableCell className={styles.nowrap}>
                    <time dateTime={entry.at} title={formatDateTime(entry.at)}>
                      {formatRowTime(entry.at)}
                    </time>
                  </TableCell>
                  <TableCell className={styles.mono}>{entry.map}</TableCell>
                  <TableCell className={styles.mono}>{entry.key ?? <span className={styles.muted}>—</span>}</TableCell>
                  <TableCell className={styles.nowrap}>{entry.direction ? directionLabel(entry.direction) : '—'}</TableCell>
                  <TableCell>{entry.message}</TableCell>
                </TableRow>
                {open ? (
                  <TableRow className={styles.jsonRow}>
                    <TableCell colSpan={6}>
                      {payload === undefined ? (
                        <Caption1 className={styles.muted} data-testid="conflict-no-payload">
                          The backend does not send the losing change's values with this entry.
                        </Caption1>
                      ) : (
                        <pre className={styles.json} data-testid="conflict-payload">
                          {formatRow(payload)}
                        </pre>
                      )}
                    </TableCell>
                  </TableRow>
                ) : null}
              </Fragment>
            );
          })}
        </TableBody>
      </Table>
    </Card>
  );
}
