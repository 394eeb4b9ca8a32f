import {
  Badge,
  Body1,
  Button,
  Caption1,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  Subtitle2,
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
import { History16Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { MapDiffView } from '../../bindings/MapDiffView';
import type { MapVersionView } from '../../bindings/MapVersionView';
import type { MapView } from '../../bindings/MapView';
import { formatDateTime } from '../../lib/format';
import { diffPair, diffRows, toggleVersionPick } from '../../lib/mapsAlm';
import { ErrorBar } from '../ErrorBar';
import { DiffTable } from './DiffTable';
import { useNotify } from '../notify';

const useStyles = makeStyles({
  hint: { color: tokens.colorNeutralForeground3 },
  table: { tableLayout: 'auto' },
  pickCol: { width: '44px' },
  versionCol: { width: '80px' },
  actionsCol: { width: '150px' },
  nowrap: { whiteSpace: 'nowrap' },
  muted: { color: tokens.colorNeutralForeground3 },
  currentRow: { fontWeight: tokens.fontWeightSemibold },
  diff: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  confirmText: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

/** The version history: pick two versions to compare them field by field, or roll back to one. */
export function VersionsTab({
  map,
  versions,
  onRolledBack,
}: {
  map: MapView;
  versions: readonly MapVersionView[];
  onRolledBack: () => void;
}) {
  const styles = useStyles();
  const notify = useNotify();
  const newest = versions.at(-1)?.version ?? 0;
  // The newest two are compared until the admin picks others.
  const [picked, setPicked] = useState<number[]>(() => versions.slice(-2).map((v) => v.version));
  const [diff, setDiff] = useState<MapDiffView | null>(null);
  const [diffError, setDiffError] = useState<ApiError | null>(null);
  const [confirm, setConfirm] = useState<MapVersionView | null>(null);
  const [rollingBack, setRollingBack] = useState(false);
  const pair = diffPair(picked);
  const from = pair?.from;
  const to = pair?.to;

  useEffect(() => {
    if (from === undefined || to === undefined) return;
    let current = true;
    backend.mapDiff(map.name, from, to).then(
      (value) => {
        if (!current) return;
        setDiff(value);
        setDiffError(null);
      },
      (e: unknown) => {
        if (current) setDiffError(toApiError(e));
      },
    );
    return () => {
      current = false;
    };
  }, [map.name, from, to]);

  const rollback = async (version: MapVersionView) => {
    setRollingBack(true);
    try {
      const saved = await backend.rollbackMap(map.name, version.version);
      setConfirm(null);
      setPicked([version.version, saved.version.version]);
      notify.success(`Rolled ${map.title} back to version ${version.version}`, `Saved as version ${saved.version.version}`);
      onRolledBack();
    } catch (e) {
      notify.error(`Cannot roll back ${map.title}`, toApiError(e));
    } finally {
      setRollingBack(false);
    }
  };

  const shown = diff && pair && diff.from === pair.from && diff.to === pair.to ? diff : null;
  const rows = shown ? diffRows(shown) : [];

  return (
    <>
      <Caption1 className={styles.hint}>Pick two versions to compare them. Rolling back saves an old version again as the newest; nothing is deleted.</Caption1>
      <Table size="small" className={styles.table} aria-label={`Versions of ${map.title}`} data-testid="versions-table">
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.pickCol} aria-label="Compare" />
            <TableHeaderCell className={styles.versionCol}>Version</TableHeaderCell>
            <TableHeaderCell>Author</TableHeaderCell>
            <TableHeaderCell>Time</TableHeaderCell>
            <TableHeaderCell>Note</TableHeaderCell>
            <TableHeaderCell className={styles.actionsCol} aria-label="Actions" />
          </TableRow>
        </TableHeader>
        <TableBody>
          {[...versions].reverse().map((v) => (
            <TableRow key={v.version} data-testid={`version-row-${v.version}`} className={mergeClasses(v.version === newest && styles.currentRow)}>
              <TableCell>
                <Checkbox
                  checked={picked.includes(v.version)}
                  onChange={() => setPicked((p) => toggleVersionPick(p, v.version))}
                  aria-label={`Compare version ${v.version}`}
                  data-testid={`version-pick-${v.version}`}
                />
              </TableCell>
              <TableCell>
                {v.version}
                {v.version === newest ? (
                  <>
                    {' '}
                    <Badge size="small" appearance="tint" color="brand">
                      current
                    </Badge>
                  </>
                ) : null}
              </TableCell>
              <TableCell data-testid="version-author">{v.author}</TableCell>
              <TableCell className={styles.nowrap} data-testid="version-time" title={v.at}>
                {formatDateTime(v.at)}
              </TableCell>
              <TableCell data-testid="version-note">{v.note ?? <span className={styles.muted}>—</span>}</TableCell>
              <TableCell>
                {v.version === newest ? null : (
                  <Button size="small" icon={<History16Regular />} onClick={() => setConfirm(v)} data-testid={`rollback-${v.version}`}>
                    Roll back
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <div className={styles.diff} data-testid="version-diff">
        {pair ? (
          <Subtitle2>
            Changes from version {pair.from} to version {pair.to}
          </Subtitle2>
        ) : (
          <Body1 className={styles.muted}>{versions.length < 2 ? 'There is only one version so far.' : 'Pick two versions to compare them.'}</Body1>
        )}
        {pair && diffError ? <ErrorBar title="Cannot compare the versions" error={diffError} /> : null}
        {pair && !shown && !diffError ? <Spinner size="tiny" label="Comparing…" /> : null}
        {shown && rows.length === 0 ? <Body1 className={styles.muted}>The two versions are the same.</Body1> : null}
        {shown ? (
          <DiffTable diff={shown} beforeLabel={`Version ${shown.from}`} afterLabel={`Version ${shown.to}`} label="Differences between the versions" />
        ) : null}
      </div>
      {confirm ? (
        <Dialog open onOpenChange={(_, data) => (data.open ? undefined : setConfirm(null))}>
          <DialogSurface data-testid="rollback-dialog">
            <DialogBody>
              <DialogTitle>Roll {map.title} back to version {confirm.version}?</DialogTitle>
              <DialogContent className={styles.confirmText}>
                <Body1>
                  The definition of version {confirm.version} ({formatDateTime(confirm.at)}, by {confirm.author}) is saved again as
                  version {newest + 1}. Versions 1 to {newest} stay in the history.
                </Body1>
              </DialogContent>
              <DialogActions>
                <Button appearance="secondary" onClick={() => setConfirm(null)} data-testid="rollback-cancel">
                  Cancel
                </Button>
                <Button appearance="primary" disabled={rollingBack} onClick={() => void rollback(confirm)} data-testid="rollback-confirm">
                  {rollingBack ? 'Rolling back…' : `Roll back to version ${confirm.version}`}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
    </>
  );
}
