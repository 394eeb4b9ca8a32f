import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Link,
  Menu,
  MenuButton,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowImport20Regular,
  ArrowExportLtr20Regular,
  Pause16Regular,
  Play16Regular,
  PlayCircle16Regular,
  Stop16Regular,
  TextBulletListLtr16Regular,
} from '@fluentui/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ApiError } from '../bindings/ApiError';
import type { MapView } from '../bindings/MapView';
import type { ResumeMode } from '../bindings/ResumeMode';
import { ChangeTable, type ChangeColumn, type ChangeExpansion } from '../components/ChangeTable';
import { ErrorBar } from '../components/ErrorBar';
import { BulkToolbar } from '../components/maps/BulkToolbar';
import { MapDetailsDrawer } from '../components/maps/MapDetailsDrawer';
import { ExportDialog, ImportDialog } from '../components/maps/PackageDialogs';
import { useNotify } from '../components/notify';
import { PageHeader } from '../components/PageHeader';
import { QueueDrawer } from '../components/QueueDrawer';
import { formatCount } from '../lib/format';
import { canPause, canRun, fieldDirectionLabel, stateColor, stateLabel } from '../lib/labels';
import { mergeMaps, progressLabel, upsertMap } from '../lib/maps';
import {
  canResume,
  canStop,
  discardConfirmation,
  resumeDoneMessage,
  resumeOptionHint,
  resumeOptionLabel,
  stopConfirmation,
} from '../lib/queue';

/** While a map is paused or on its way to Running, its row changes by itself: look again this often. */
const POLL_MS = 5_000;
const RESUME_MODES: ResumeMode[] = ['catch-up', 'skip-keep', 'skip-discard'];

type Confirm = { kind: 'stop' | 'discard'; name: string };

/**
 * Below this card width the table drops its Rows synced and Errors columns (their
 * figures move under the state) and narrows the queue and action columns, so the
 * row actions stay in view at 1024 px windows.
 */
const NARROW = '@container (max-width: 899px)';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '1400px' },
  // The card is the size container the column widths below respond to.
  card: { padding: 0, overflowX: 'auto', containerType: 'inline-size' },
  // Fixed layout: the compact columns keep their widths and the map column takes the rest,
  // so long titles are cut with an ellipsis instead of widening the table.
  table: { width: '100%', tableLayout: 'fixed' },
  selectCol: { width: '32px' },
  stateCol: { width: '112px' },
  rowsCol: { width: '84px' },
  errorsCol: { width: '56px' },
  wideOnly: { [NARROW]: { display: 'none' } },
  narrowOnly: { display: 'none', [NARROW]: { display: 'block' } },
  queueCol: { width: '150px', [NARROW]: { width: '128px' } },
  actionsCol: { width: '132px', [NARROW]: { width: '104px' } },
  wrap: { whiteSpace: 'normal' },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  numHeader: { justifyContent: 'flex-end', whiteSpace: 'nowrap' },
  titleLink: { fontWeight: tokens.fontWeightSemibold, textAlign: 'start', display: 'block', maxWidth: '100%' },
  ellipsis: { display: 'block', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  titleCell: { display: 'flex', flexDirection: 'column', minWidth: 0, paddingBlock: tokens.spacingVerticalS },
  name: { color: tokens.colorNeutralForeground3, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  stateBadge: { whiteSpace: 'nowrap' },
  fieldMono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  stateCell: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXXS, paddingBlock: tokens.spacingVerticalS },
  reason: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  reasonError: { color: tokens.colorPaletteRedForeground1 },
  errorsNonZero: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, justifyContent: 'flex-end', paddingBlock: tokens.spacingVerticalXS },
  queueCell: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXXS, paddingBlock: tokens.spacingVerticalS },
  queueBadges: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, whiteSpace: 'nowrap' },
  zero: { color: tokens.colorNeutralForeground4 },
  confirmText: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  fieldsCell: { paddingBlock: tokens.spacingVerticalM, paddingInline: tokens.spacingHorizontalXXL },
  fieldsTable: { backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium },
  symbol: {
    fontFamily: tokens.fontFamilyMonospace,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorBrandForeground1,
    minWidth: tokens.spacingHorizontalXXL,
    display: 'inline-block',
  },
  muted: { color: tokens.colorNeutralForeground3 },
  empty: { padding: tokens.spacingHorizontalXXL, textAlign: 'center', color: tokens.colorNeutralForeground3 },
});

export function MapsPage() {
  const styles = useStyles();
  const notify = useNotify();
  const [maps, setMaps] = useState<MapView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [queueName, setQueueName] = useState<string | null>(null);
  const [detailsName, setDetailsName] = useState<string | null>(null);
  const [packageDialog, setPackageDialog] = useState<'export' | 'import' | null>(null);
  /** Names of the maps chosen for a bulk action or a run plan, in table order. */
  const [selected, setSelected] = useState<string[]>([]);

  const load = useCallback(() => {
    return backend.maps().then(
      (value) => {
        setMaps((current) => mergeMaps(current, value));
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
    const unsubscribe = backend.subscribe((event) => {
      if (event.type === 'mapChanged') setMaps((current) => upsertMap(current, event.map));
    });
    void load();
    return unsubscribe;
  }, [load]);

  // Paused maps keep capturing into their queue, and maps on their way to Running change by
  // themselves: keep counts and states fresh even if an event was missed.
  const anyMoving = maps.some((m) => ['paused', 'initializing', 'resuming', 'error'].includes(m.state));
  useEffect(() => {
    if (!anyMoving) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [anyMoving, load]);

  /** Runs one map command, shows its outcome and keeps the row up to date. */
  const perform = async (
    map: MapView,
    call: () => Promise<MapView>,
    success: (updated: MapView) => string,
    failure: string,
  ) => {
    setBusy((b) => ({ ...b, [map.name]: true }));
    try {
      const updated = await call();
      setMaps((current) => upsertMap(current, updated));
      notify.success(success(updated), `State: ${stateLabel(updated.state)}`);
    } catch (e) {
      notify.error(failure, toApiError(e));
    } finally {
      setBusy((b) => ({ ...b, [map.name]: false }));
    }
  };

  const act = (map: MapView, action: 'run' | 'pause') =>
    action === 'run'
      ? perform(map, () => backend.runMap(map.name), () => `Started ${map.title}`, `Cannot run ${map.title}`)
      : perform(map, () => backend.pauseMap(map.name), () => `Paused ${map.title}`, `Cannot pause ${map.title}`);

  const resume = (map: MapView, mode: ResumeMode) => {
    const queued = map.queued;
    return perform(
      map,
      () => backend.resumeMap(map.name, mode),
      () => resumeDoneMessage(mode, map.title, queued),
      `Cannot resume ${map.title}`,
    );
  };

  const stop = (map: MapView) =>
    perform(
      map,
      () => backend.stopMap(map.name),
      () => `Stopped ${map.title}; the next run starts with an initial sync`,
      `Cannot stop ${map.title}`,
    );

  const confirmMap = confirm ? maps.find((m) => m.name === confirm.name) : undefined;
  const queueMap = queueName ? maps.find((m) => m.name === queueName) : undefined;
  const detailsMap = detailsName ? maps.find((m) => m.name === detailsName) : undefined;

  const onConfirm = () => {
    if (!confirm || !confirmMap) return;
    setConfirm(null);
    void (confirm.kind === 'stop' ? stop(confirmMap) : resume(confirmMap, 'skip-discard'));
  };

  const toggleSelected = (name: string, on: boolean) =>
    setSelected((current) =>
      maps.map((m) => m.name).filter((n) => (n === name ? on : current.includes(n))),
    );
  const allSelected = maps.length > 0 && selected.length === maps.length;

  const columns: ChangeColumn<MapView>[] = [
    {
      id: 'select',
      label: 'Select',
      headerClassName: styles.selectCol,
      render: (map) => (
        <Checkbox
          checked={selected.includes(map.name)}
          onChange={(_, data) => toggleSelected(map.name, !!data.checked)}
          aria-label={`Select ${map.title}`}
          data-testid={`select-${map.name}`}
        />
      ),
    },
    {
      id: 'map',
      header: 'Map',
      render: (map) => (
        <div className={styles.titleCell}>
          {/* The full title on hover: long titles are cut to the column's width. */}
          <Tooltip content={map.title} relationship="inaccessible" positioning="above-start" withArrow>
            <Link
              as="button"
              className={styles.titleLink}
              onClick={() => setDetailsName(map.name)}
              aria-description="Fields, versions and preview"
              data-testid={`details-${map.name}`}
            >
              <span className={styles.ellipsis} data-testid={`map-title-${map.name}`}>
                {map.title}
              </span>
            </Link>
          </Tooltip>
          <span className={mergeClasses(styles.name, styles.ellipsis)} title={map.name}>
            {map.name}
          </span>
          <span
            className={mergeClasses(styles.name, styles.ellipsis)}
            title={`F&O entity ${map.financeOperationsEntity} ↔ Dataverse table ${map.dataverseTable}`}
            data-testid={`map-tables-${map.name}`}
          >
            {map.financeOperationsEntity} ↔ {map.dataverseTable}
          </span>
        </div>
      ),
    },
    {
      id: 'state',
      header: 'State',
      headerClassName: styles.stateCol,
      render: (map) => (
        <div className={styles.stateCell}>
          <Badge
            appearance="tint"
            color={stateColor(map.state)}
            className={styles.stateBadge}
            data-testid={`map-state-${map.name}`}
            data-state={map.state}
          >
            {stateLabel(map.state)}
          </Badge>
          {map.reason ? (
            <Caption1
              className={mergeClasses(styles.reason, map.state === 'error' && styles.reasonError)}
              data-testid={`map-reason-${map.name}`}
            >
              {map.reason}
            </Caption1>
          ) : null}
          {map.progress ? (
            <Caption1 className={styles.reason} data-testid={`map-progress-${map.name}`}>
              {progressLabel(map.progress)}
            </Caption1>
          ) : null}
          <Caption1 className={mergeClasses(styles.reason, styles.narrowOnly)}>
            {formatCount(map.rowsSynced)} rows ·{' '}
            <span className={mergeClasses(map.errors > 0 && styles.errorsNonZero)}>
              {formatCount(map.errors)} {map.errors === 1 ? 'error' : 'errors'}
            </span>
          </Caption1>
        </div>
      ),
    },
    {
      id: 'rows',
      header: 'Rows synced',
      numeric: true,
      headerClassName: mergeClasses(styles.rowsCol, styles.wideOnly),
      headerButtonClassName: styles.wrap,
      cellClassName: styles.wideOnly,
      render: (map) => <span data-testid={`map-rows-${map.name}`}>{formatCount(map.rowsSynced)}</span>,
    },
    {
      id: 'errors',
      header: 'Errors',
      numeric: true,
      headerClassName: mergeClasses(styles.errorsCol, styles.wideOnly),
      cellClassName: styles.wideOnly,
      render: (map) => (
        <span className={mergeClasses(map.errors > 0 && styles.errorsNonZero)} data-testid={`map-errors-${map.name}`}>
          {formatCount(map.errors)}
        </span>
      ),
    },
    {
      id: 'queue',
      header: 'Queue',
      headerClassName: styles.queueCol,
      render: (map) => (
        <div className={styles.queueCell}>
          <div className={styles.queueBadges}>
            <QueueCount map={map} kind="queued" />
            <QueueCount map={map} kind="parked" />
            <QueueCount map={map} kind="failed" />
          </div>
          <Button
            size="small"
            appearance="subtle"
            icon={<TextBulletListLtr16Regular />}
            onClick={() => setQueueName(map.name)}
            aria-label={`Show the queue of ${map.title}`}
            title="Show the queue"
            data-testid={`queue-${map.name}`}
          >
            View queue
          </Button>
        </div>
      ),
    },
    {
      id: 'actions',
      label: 'Actions',
      headerClassName: styles.actionsCol,
      render: actionsOf,
    },
  ];

  /**
   * Run, Pause, Resume and Stop of one map: icon buttons named by their tooltips, so the
   * column stays narrow and every action of every row stays in view. Unavailable ones are
   * disabledFocusable, so their tooltip still names them on hover and focus.
   */
  function actionsOf(map: MapView) {
    const isBusy = !!busy[map.name];
    return (
      <div className={styles.actions}>
        <Tooltip content={`Run ${map.title}`} relationship="label">
          <Button
            size="small"
            appearance="primary"
            icon={<Play16Regular />}
            disabledFocusable={isBusy || !canRun(map.state)}
            onClick={() => void act(map, 'run')}
            data-testid={`run-${map.name}`}
          />
        </Tooltip>
        <Tooltip content={`Pause ${map.title}`} relationship="label">
          <Button
            size="small"
            icon={<Pause16Regular />}
            disabledFocusable={isBusy || !canPause(map.state)}
            onClick={() => void act(map, 'pause')}
            data-testid={`pause-${map.name}`}
          />
        </Tooltip>
        {canResume(map.state) ? (
          <Menu positioning="below-end">
            <MenuTrigger disableButtonEnhancement>
              <Tooltip content={`Resume ${map.title}…`} relationship="label">
                <MenuButton
                  size="small"
                  appearance="primary"
                  icon={<PlayCircle16Regular />}
                  disabledFocusable={isBusy}
                  data-testid={`resume-${map.name}`}
                />
              </Tooltip>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                {RESUME_MODES.map((mode) => (
                  <MenuItem
                    key={mode}
                    subText={resumeOptionHint(mode, map.queued)}
                    onClick={() =>
                      mode === 'skip-discard'
                        ? setConfirm({ kind: 'discard', name: map.name })
                        : void resume(map, mode)
                    }
                    data-testid={`resume-${mode}-${map.name}`}
                  >
                    {resumeOptionLabel(mode, map.queued)}
                  </MenuItem>
                ))}
              </MenuList>
            </MenuPopover>
          </Menu>
        ) : null}
        <Tooltip content={`Stop ${map.title}…`} relationship="label">
          <Button
            size="small"
            icon={<Stop16Regular />}
            disabledFocusable={isBusy || !canStop(map.state)}
            onClick={() => setConfirm({ kind: 'stop', name: map.name })}
            data-testid={`stop-${map.name}`}
          />
        </Tooltip>
      </div>
    );
  }

  const fieldsExpansion: ChangeExpansion<MapView> = {
    what: 'field mappings',
    headerLabel: 'Field mappings',
    toggleTestId: (map) => `fields-toggle-${map.name}`,
    detailTestId: (map) => `fields-${map.name}`,
    cellClassName: styles.fieldsCell,
    render: (map) => <FieldMappings map={map} />,
  };

  return (
    <div className={styles.page} data-testid="page-maps">
      <PageHeader
        title="Maps"
        description="Table maps between finance and operations entities and Dataverse tables."
        actions={
          <>
            <Button icon={<ArrowExportLtr20Regular />} disabled={maps.length === 0} onClick={() => setPackageDialog('export')} data-testid="maps-export">
              Export
            </Button>
            <Button icon={<ArrowImport20Regular />} onClick={() => setPackageDialog('import')} data-testid="maps-import">
              Import
            </Button>
          </>
        }
      />
      {error ? <ErrorBar title="Cannot load maps" error={error} onRetry={() => void load()} /> : null}
      {maps.length > 0 ? (
        <BulkToolbar
          leading={
            <Checkbox
              checked={allSelected ? true : selected.length > 0 ? 'mixed' : false}
              onChange={() => setSelected(allSelected ? [] : maps.map((m) => m.name))}
              label="All maps"
              data-testid="select-all"
            />
          }
          selected={selected}
          onClear={() => setSelected([])}
          onDone={() => void load()}
        />
      ) : null}
      {loading ? (
        <Spinner label="Loading maps…" />
      ) : error && maps.length === 0 ? null : (
        <Card className={styles.card}>
          <ChangeTable
            items={maps}
            itemKey={(m) => m.name}
            columns={columns}
            expansion={fieldsExpansion}
            ariaLabel="Maps"
            testId="maps-table"
            size="medium"
            className={styles.table}
            rowTestId={(m) => `map-row-${m.name}`}
            empty={{ testId: 'maps-empty', text: 'No maps are defined.' }}
          />
        </Card>
      )}
      {confirm && confirmMap ? (
        <Dialog open onOpenChange={(_, data) => (data.open ? undefined : setConfirm(null))}>
          <DialogSurface data-testid={`${confirm.kind}-dialog`}>
            <DialogBody>
              <DialogTitle>
                {confirm.kind === 'stop' ? `Stop ${confirmMap.title}?` : `Discard the queue of ${confirmMap.title}?`}
              </DialogTitle>
              <DialogContent className={styles.confirmText} data-testid="confirm-text">
                {confirm.kind === 'stop' ? (
                  stopConfirmation(confirmMap).map((line) => <Body1 key={line}>{line}</Body1>)
                ) : (
                  <Body1>{discardConfirmation(confirmMap)}</Body1>
                )}
              </DialogContent>
              <DialogActions>
                <Button appearance="secondary" onClick={() => setConfirm(null)} data-testid="confirm-cancel">
                  Cancel
                </Button>
                <Button appearance="primary" onClick={onConfirm} data-testid="confirm-ok">
                  {confirm.kind === 'stop' ? 'Stop map' : 'Discard and resume'}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
      {queueMap ? (
        <QueueDrawer
          key={queueMap.name}
          map={queueMap}
          onClose={() => setQueueName(null)}
          onMapUpdated={(updated) => setMaps((current) => upsertMap(current, updated))}
        />
      ) : null}
      {detailsMap ? <MapDetailsDrawer key={detailsMap.name} map={detailsMap} onClose={() => setDetailsName(null)} /> : null}
      {packageDialog === 'export' ? <ExportDialog maps={maps} onClose={() => setPackageDialog(null)} /> : null}
      {packageDialog === 'import' ? <ImportDialog onClose={() => setPackageDialog(null)} onImported={() => void load()} /> : null}
    </div>
  );
}

const QUEUE_COUNT_COLORS = { queued: 'informative', parked: 'warning', failed: 'danger' } as const;

/** A compact count badge: outlined and quiet at zero, filled when there is something. */
function QueueCount({ map, kind }: { map: MapView; kind: 'queued' | 'parked' | 'failed' }) {
  const styles = useStyles();
  const n = map[kind];
  return (
    <Badge
      size="medium"
      appearance={n > 0 ? 'filled' : 'outline'}
      color={n > 0 ? QUEUE_COUNT_COLORS[kind] : 'subtle'}
      className={mergeClasses(n === 0 && styles.zero)}
      title={`${formatCount(n)} ${kind}`}
      data-testid={`${kind}-${map.name}`}
      data-count={n}
    >
      {formatCount(n)} {kind}
    </Badge>
  );
}

function FieldMappings({ map }: { map: MapView }) {
  const styles = useStyles();
  if (map.fields.length === 0) return <Body1 className={styles.muted}>This map has no field mappings.</Body1>;
  return (
    <Table size="small" className={styles.fieldsTable} aria-label={`Field mappings of ${map.title}`}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>F&amp;O field</TableHeaderCell>
          <TableHeaderCell>Direction</TableHeaderCell>
          <TableHeaderCell>Dataverse column</TableHeaderCell>
          <TableHeaderCell>Note</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {map.fields.map((f, i) => (
          <TableRow key={`${f.financeOperations}-${f.dataverse}-${i}`} data-testid="field-row">
            <TableCell>
              <span className={styles.fieldMono}>{f.financeOperations}</span>
            </TableCell>
            <TableCell>
              <span className={styles.symbol} title={fieldDirectionLabel(f.direction)}>
                {f.direction}
              </span>{' '}
              <Caption1 className={styles.muted}>{fieldDirectionLabel(f.direction)}</Caption1>
            </TableCell>
            <TableCell>
              <span className={styles.fieldMono}>{f.dataverse}</span>
            </TableCell>
            <TableCell>{f.note ?? <span className={styles.muted}>—</span>}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
