import { Button, Caption1, Card, Spinner, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowUp20Regular, Dismiss20Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { backend } from '../backend';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import { ActivityEntryDetail } from '../components/ChangeDetail';
import { ErrorBar } from '../components/ErrorBar';
import { PageHeader } from '../components/PageHeader';
import { ActivityToolbar } from '../components/activity/ActivityToolbar';
import { ROW_HEIGHT, VirtualLogTable } from '../components/activity/VirtualLogTable';
import { useActivityColumns } from '../components/activity/activityColumns';
import { useCsvExport, type ExportProgress } from '../components/activity/useCsvExport';
import { useLogView } from '../components/activity/useLogView';
import { NO_FILTERS, mapOptions, shouldLoadMore, type LogFilters } from '../lib/activityLog';
import { formatCount } from '../lib/format';

/** How long the text filter waits after the last key before asking the backend. */
const TEXT_DEBOUNCE_MS = 300;

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  body: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'flex-start' },
  card: { padding: 0, flex: 1, minWidth: 0, overflowX: 'auto' },
  detail: { width: '520px', flexShrink: 0, maxHeight: 'calc(100vh - 300px)', minHeight: '360px', overflowY: 'auto' },
  detailHead: { display: 'flex', alignItems: 'center', justifyContent: 'space-between' },
  empty: { padding: tokens.spacingHorizontalXXL, textAlign: 'center', color: tokens.colorNeutralForeground3 },
  status: { color: tokens.colorNeutralForeground3 },
});

export function ActivityPage() {
  const styles = useStyles();
  const columns = useActivityColumns();
  const [filters, setFilters] = useState<LogFilters>(NO_FILTERS);
  const [text, setText] = useState('');
  const [openEntry, setOpenEntry] = useState<ActivityEntry | null>(null);
  const [configuredMaps, setConfiguredMaps] = useState<string[]>([]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const atTop = useRef(true);
  const { view, reload, loadMore } = useLogView(filters, atTop);
  const csv = useCsvExport(filters);

  useEffect(() => {
    const timer = setTimeout(() => setFilters((f) => (f.text === text ? f : { ...f, text })), TEXT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  useEffect(() => {
    backend.maps().then(
      (maps) => setConfiguredMaps(maps.map((m) => m.name)),
      () => setConfiguredMaps([]),
    );
  }, []);
  // A new view starts at its top.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
    atTop.current = true;
  }, [filters]);

  const onFilters = useCallback((change: Partial<LogFilters>) => setFilters((f) => ({ ...f, ...change })), []);
  const onScroll = useCallback(() => {
    atTop.current = (scrollRef.current?.scrollTop ?? 0) < ROW_HEIGHT;
  }, []);
  const { entries, next } = view;
  const onLastVisible = useCallback(
    (index: number) => {
      if (shouldLoadMore(index, entries.length, next !== null, false)) loadMore();
    },
    [entries.length, next, loadMore],
  );
  const onToggle = useCallback((entry: ActivityEntry) => setOpenEntry((open) => (open?.id === entry.id ? null : entry)), []);
  const jumpToTop = useCallback(() => {
    scrollRef.current?.scrollTo({ top: 0 });
    atTop.current = true;
    reload();
  }, [reload]);
  const mapNames = useMemo(() => mapOptions(configuredMaps, entries.slice(0, 1000), filters.map), [configuredMaps, entries, filters.map]);

  return (
    <div className={styles.page} data-testid="page-activity">
      <PageHeader title="Activity" description="Lifecycle events and row changes synced in both directions." />
      <ActivityToolbar
        filters={filters}
        onFilters={onFilters}
        text={text}
        onText={setText}
        mapNames={mapNames}
        countText={view.loading ? 'Counting…' : `${formatCount(view.total ?? entries.length)} entries`}
        exportText={exportLabel(csv.progress)}
        onExport={() => void csv.run()}
      />
      {view.fresh > 0 ? (
        <Button appearance="primary" icon={<ArrowUp20Regular />} onClick={jumpToTop} data-testid="activity-new">
          {view.fresh === 1 ? '1 new entry' : `${formatCount(view.fresh)} new entries`}
        </Button>
      ) : null}
      {view.error ? <ErrorBar title="Cannot load activity" error={view.error} onRetry={reload} /> : null}
      {csv.error ? <ErrorBar title="Cannot export the activity log" error={csv.error} /> : null}
      {view.loading ? <Spinner label="Loading activity…" /> : null}
      <div className={styles.body} hidden={view.loading}>
        <Card className={styles.card}>
          <VirtualLogTable
            entries={entries}
            columns={columns}
            openId={openEntry?.id ?? null}
            onToggle={onToggle}
            onLastVisible={onLastVisible}
            scrollRef={scrollRef}
            onScroll={onScroll}
            empty={
              <div className={styles.empty} data-testid="activity-empty">
                {isFiltered(filters) ? 'No entries match the filters.' : 'No activity yet.'}
              </div>
            }
          />
        </Card>
        {openEntry ? (
          <Card className={styles.detail} data-testid="activity-row-detail">
            <div className={styles.detailHead}>
              <Subtitle2>Entry {openEntry.id}</Subtitle2>
              <Button appearance="subtle" icon={<Dismiss20Regular />} aria-label="Close details" onClick={() => setOpenEntry(null)} data-testid="activity-detail-close" />
            </div>
            <ActivityEntryDetail entry={openEntry} />
          </Card>
        ) : null}
      </div>
      {!view.loading && entries.length > 0 ? (
        <Caption1 className={styles.status} data-testid="activity-loaded">
          {formatCount(entries.length)} loaded{next !== null ? '; more load as you scroll' : ''}
        </Caption1>
      ) : null}
    </div>
  );
}

function exportLabel(progress: ExportProgress | null): string | null {
  if (progress === null) return null;
  return progress.total === null ? 'Exporting…' : `Exporting ${formatCount(progress.done)} of ${formatCount(progress.total)}…`;
}

const isFiltered = (f: LogFilters) => Boolean(f.map || f.direction || f.kind || f.status || f.text.trim());
