import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { ChevronDown16Regular, ChevronRight16Regular, Pause16Regular, Play16Regular } from '@fluentui/react-icons';
import { Fragment, useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ApiError } from '../bindings/ApiError';
import type { MapView } from '../bindings/MapView';
import { ErrorBar } from '../components/ErrorBar';
import { useNotify } from '../components/notify';
import { PageHeader } from '../components/PageHeader';
import { formatCount } from '../lib/format';
import { canPause, canRun, fieldDirectionLabel, stateColor, stateLabel } from '../lib/labels';
import { upsertMap } from '../lib/maps';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '1400px' },
  card: { padding: 0, overflowX: 'auto' },
  table: { minWidth: '1000px', tableLayout: 'auto' },
  expandCol: { width: '44px' },
  stateCol: { width: '260px' },
  mapCol: { minWidth: '220px' },
  numCol: { width: '110px' },
  actionsCol: { width: '190px' },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  numHeader: { justifyContent: 'flex-end', whiteSpace: 'nowrap' },
  nowrap: { whiteSpace: 'nowrap' },
  titleCell: { display: 'flex', flexDirection: 'column', paddingBlock: tokens.spacingVerticalS },
  name: { color: tokens.colorNeutralForeground3, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, whiteSpace: 'nowrap' },
  fieldMono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  stateCell: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXXS, paddingBlock: tokens.spacingVerticalS },
  reason: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  reasonError: { color: tokens.colorPaletteRedForeground1 },
  errorsNonZero: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, justifyContent: 'flex-end' },
  fieldsRow: { backgroundColor: tokens.colorNeutralBackground2, ':hover': { backgroundColor: tokens.colorNeutralBackground2 } },
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
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});

  const load = useCallback(() => {
    return backend.maps().then(
      (value) => {
        setMaps(value);
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

  const act = async (map: MapView, action: 'run' | 'pause') => {
    setBusy((b) => ({ ...b, [map.name]: true }));
    try {
      const updated = action === 'run' ? await backend.runMap(map.name) : await backend.pauseMap(map.name);
      setMaps((current) => upsertMap(current, updated));
      notify.success(
        action === 'run' ? `Started ${map.title}` : `Paused ${map.title}`,
        `State: ${stateLabel(updated.state)}`,
      );
    } catch (e) {
      notify.error(action === 'run' ? `Cannot run ${map.title}` : `Cannot pause ${map.title}`, toApiError(e));
    } finally {
      setBusy((b) => ({ ...b, [map.name]: false }));
    }
  };

  return (
    <div className={styles.page} data-testid="page-maps">
      <PageHeader title="Maps" description="Table maps between finance and operations entities and Dataverse tables." />
      {error ? <ErrorBar title="Cannot load maps" error={error} onRetry={() => void load()} /> : null}
      {loading ? (
        <Spinner label="Loading maps…" />
      ) : error && maps.length === 0 ? null : (
        <Card className={styles.card}>
          <Table className={styles.table} aria-label="Maps" data-testid="maps-table">
            <TableHeader>
              <TableRow>
                <TableHeaderCell className={styles.expandCol} aria-label="Field mappings" />
                <TableHeaderCell className={styles.mapCol}>Map</TableHeaderCell>
                <TableHeaderCell button={{ className: styles.nowrap }}>F&amp;O entity</TableHeaderCell>
                <TableHeaderCell button={{ className: styles.nowrap }}>Dataverse table</TableHeaderCell>
                <TableHeaderCell className={styles.stateCol}>State</TableHeaderCell>
                <TableHeaderCell className={styles.numCol} button={{ className: styles.numHeader }}>
                  Rows synced
                </TableHeaderCell>
                <TableHeaderCell className={styles.numCol} button={{ className: styles.numHeader }}>
                  Errors
                </TableHeaderCell>
                <TableHeaderCell className={styles.actionsCol} aria-label="Actions" />
              </TableRow>
            </TableHeader>
            <TableBody>
              {maps.length === 0 ? (
                <TableRow>
                  <TableCell colSpan={8}>
                    <div className={styles.empty} data-testid="maps-empty">
                      No maps are defined.
                    </div>
                  </TableCell>
                </TableRow>
              ) : null}
              {maps.map((map) => {
                const open = !!expanded[map.name];
                const isBusy = !!busy[map.name];
                return (
                  <Fragment key={map.name}>
                    <TableRow data-testid={`map-row-${map.name}`}>
                      <TableCell>
                        <Button
                            appearance="subtle"
                            size="small"
                            icon={open ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
                            aria-expanded={open}
                            aria-label={open ? 'Hide field mappings' : 'Show field mappings'}
                            title={open ? 'Hide field mappings' : 'Show field mappings'}
                            onClick={() => setExpanded((x) => ({ ...x, [map.name]: !open }))}
                            data-testid={`fields-toggle-${map.name}`}
                          />
                      </TableCell>
                      <TableCell>
                        <div className={styles.titleCell}>
                          <Text weight="semibold">{map.title}</Text>
                          <span className={styles.name}>{map.name}</span>
                        </div>
                      </TableCell>
                      <TableCell>
                        <span className={styles.mono}>{map.financeOperationsEntity}</span>
                      </TableCell>
                      <TableCell>
                        <span className={styles.mono}>{map.dataverseTable}</span>
                      </TableCell>
                      <TableCell>
                        <div className={styles.stateCell}>
                          <Badge
                            appearance="tint"
                            color={stateColor(map.state)}
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
                        </div>
                      </TableCell>
                      <TableCell className={styles.num} data-testid={`map-rows-${map.name}`}>
                        {formatCount(map.rowsSynced)}
                      </TableCell>
                      <TableCell className={styles.num} data-testid={`map-errors-${map.name}`}>
                        <span className={mergeClasses(map.errors > 0 && styles.errorsNonZero)}>{formatCount(map.errors)}</span>
                      </TableCell>
                      <TableCell>
                        <div className={styles.actions}>
                          <Button
                            size="small"
                            appearance="primary"
                            icon={<Play16Regular />}
                            disabled={isBusy || !canRun(map.state)}
                            onClick={() => void act(map, 'run')}
                            data-testid={`run-${map.name}`}
                          >
                            Run
                          </Button>
                          <Button
                            size="small"
                            icon={<Pause16Regular />}
                            disabled={isBusy || !canPause(map.state)}
                            onClick={() => void act(map, 'pause')}
                            data-testid={`pause-${map.name}`}
                          >
                            Pause
                          </Button>
                        </div>
                      </TableCell>
                    </TableRow>
                    {open ? (
                      <TableRow className={styles.fieldsRow} data-testid={`fields-${map.name}`}>
                        <TableCell colSpan={8} className={styles.fieldsCell}>
                          <FieldMappings map={map} />
                        </TableCell>
                      </TableRow>
                    ) : null}
                  </Fragment>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}
    </div>
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
