import { Button, Caption1, Card, Spinner, Subtitle2, Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowUp20Regular, Dismiss20Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useMemo, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { backend } from '../backend';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import { ActivityEntryDetail } from '../components/ChangeDetail';
import { ErrorBar } from '../components/ErrorBar';
import { PageHeader } from '../components/PageHeader';
import { ActivityToolbar } from '../components/activity/ActivityToolbar';
import { ErrorGroupsView } from '../components/activity/ErrorGroupsView';
import { ROW_HEIGHT, VirtualLogTable } from '../components/activity/VirtualLogTable';
import { useActivityColumns } from '../components/activity/activityColumns';
import { useCsvExport } from '../components/activity/useCsvExport';
import { useLogView } from '../components/activity/useLogView';
import { NO_FILTERS, logQuery, mapOptions, shouldLoadMore, type LogFilters } from '../lib/activityLog';
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
  fresh: { alignSelf: 'flex-start' },
});

export function ActivityPage() {
  const styles = useStyles();
  const [filters, setFilters] = useState<LogFilters>(NO_FILTERS);
  const [tab, setTab] = useState<'log' | 'groups'>('log');
  return (
    <div className={styles.page} data-testid="page-activity">
      <PageHeader title="Activity" description="Lifecycle events and row changes synced in both directions." />
      <TabList selectedValue={tab} onTabSelect={(_, d) => setTab(d.value === 'groups' ? 'groups' : 'log')}>
        <Tab value="log" data-testid="activity-tab-log">
          Log
        </Tab>
        <Tab value="groups" data-testid="activity-tab-groups">
          Error groups
        </Tab>
      </TabList>
      {tab === 'groups' ? (
        <>
          <Caption1 className={styles.status}>
            {filters.map ? `Failures of map ${filters.map}, grouped by cause.` : 'Failures of every map, grouped by cause.'}
          </Caption1>
          <ErrorGroupsView map={filters.map} />
        </>
      ) : (
        <ActivityLog filters={filters} setFilters={setFilters} />
      )}
    </div>
  );
}

/** The filtered log: toolbar, virtualised table, detail panel and live lines. */
function ActivityLog({ filters, setFilters }: { filters: LogFilters; setFilters: Dispatch<SetStateAction<LogFilters>> }) {
  const styles = useStyles();
  const columns = useActivityColumns();
  const [text, setText] = useState(filters.text);
  const [openEntry, setOpenEntry] = useState<ActivityEntry | null>(null);
  const configuredMaps = useConfiguredMaps();
  const scrollRef = useRef<HTMLDivElement>(null);
  const atTop = useRef(true);
  const { view, reload, loadMore } = useLogView(filters, atTop);
  const csv = useCsvExport();

  useEffect(() => {
    const timer = setTimeout(() => setFilters((f) => (f.text === text ? f : { ...f, text })), TEXT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, setFilters]);
  // A new view starts at its top.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
    atTop.current = true;
  }, [filters]);

  const onFilters = useCallback((change: Partial<LogFilters>) => setFilters((f) => ({ ...f, ...change })), [setFilters]);
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
    <>
      <ActivityToolbar
        filters={filters}
        onFilters={onFilters}
        text={text}
        onText={setText}
        mapNames={mapNames}
        countText={view.loading ? 'Counting…' : entriesText(view.total ?? entries.length)}
        exportText={csv.busy ? 'Exporting…' : null}
        onExport={() => void csv.run(logQuery(filters))}
      />
      {view.fresh > 0 ? (
        <Button className={styles.fresh} appearance="primary" icon={<ArrowUp20Regular />} onClick={jumpToTop} data-testid="activity-new">
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
          <EntryPanel entry={openEntry} onClose={() => setOpenEntry(null)} />
        ) : null}
      </div>
      {!view.loading && entries.length > 0 ? (
        <Caption1 className={styles.status} data-testid="activity-loaded">
          {formatCount(entries.length)} loaded{next !== null ? '; more load as you scroll' : ''}
        </Caption1>
      ) : null}
    </>
  );
}

/** The detail of the entry opened, beside the table so the rows keep one height. */
function EntryPanel({ entry, onClose }: { entry: ActivityEntry; onClose: () => void }) {
  const styles = useStyles();
  return (
    <Card className={styles.detail} data-testid="activity-row-detail">
      <div className={styles.detailHead}>
        <Subtitle2>Entry {entry.id}</Subtitle2>
        <Button appearance="subtle" icon={<Dismiss20Regular />} aria-label="Close details" onClick={onClose} data-testid="activity-detail-close" />
      </div>
      <ActivityEntryDetail entry={entry} />
    </Card>
  );
}

/** The names of the configured maps (none when they cannot be read: the log still names its maps). */
function useConfiguredMaps(): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    backend.maps().then(
      (maps) => setNames(maps.map((m) => m.name)),
      () => setNames([]),
    );
  }, []);
  return names;
}

const entriesText = (n: number) => (n === 1 ? '1 entry' : `${formatCount(n)} entries`);

const isFiltered = (f: LogFilters) => Boolean(f.map || f.direction || f.kind || f.status || f.errorClass || f.text.trim());
