import { Badge, Button, Caption1, Link, Tooltip, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { TextBulletListLtr16Regular } from '@fluentui/react-icons';
import type { MapView } from '../../bindings/MapView';
import { formatCount } from '../../lib/format';
import { stateColor, stateLabel } from '../../lib/labels';
import { progressLabel } from '../../lib/maps';
import { useMapsTableStyles } from './tableStyles';

const useStyles = makeStyles({
  titleLink: { fontWeight: tokens.fontWeightSemibold, textAlign: 'start', display: 'block', maxWidth: '100%' },
  ellipsis: { display: 'block', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  titleCell: { display: 'flex', flexDirection: 'column', minWidth: 0, paddingBlock: tokens.spacingVerticalS },
  name: { color: tokens.colorNeutralForeground3, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  stateBadge: { whiteSpace: 'nowrap' },
  stateCell: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXXS, paddingBlock: tokens.spacingVerticalS },
  reason: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  reasonError: { color: tokens.colorPaletteRedForeground1 },
  errorsNonZero: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  queueCell: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXXS, paddingBlock: tokens.spacingVerticalS },
  queueBadges: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, whiteSpace: 'nowrap' },
  zero: { color: tokens.colorNeutralForeground4 },
});

/** The map's title (opening its details; the full title on hover), its name and its two tables. */
export function MapTitleCell({ map, onOpen }: { map: MapView; onOpen: (map: MapView) => void }) {
  const styles = useStyles();
  return (
    <div className={styles.titleCell}>
      {/* The full title on hover: long titles are cut to the column's width. */}
      <Tooltip content={map.title} relationship="inaccessible" positioning="above-start" withArrow>
        <Link
          as="button"
          className={styles.titleLink}
          onClick={() => onOpen(map)}
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
  );
}

/** The state badge, its reason and initial sync progress; in a narrow table, the rows and errors too. */
export function MapStateCell({ map }: { map: MapView }) {
  const styles = useStyles();
  const table = useMapsTableStyles();
  return (
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
      <Caption1 className={mergeClasses(styles.reason, table.narrowOnly)}>
        {formatCount(map.rowsSynced)} rows ·{' '}
        <span className={mergeClasses(map.errors > 0 && styles.errorsNonZero)}>
          {formatCount(map.errors)} {map.errors === 1 ? 'error' : 'errors'}
        </span>
      </Caption1>
    </div>
  );
}

/** The error count, red when there are any. */
export function MapErrorsCount({ map }: { map: MapView }) {
  const styles = useStyles();
  return (
    <span className={mergeClasses(map.errors > 0 && styles.errorsNonZero)} data-testid={`map-errors-${map.name}`}>
      {formatCount(map.errors)}
    </span>
  );
}

/** The queued, parked and failed counts, and the button that opens the queue. */
export function MapQueueCell({ map, onOpen }: { map: MapView; onOpen: (map: MapView) => void }) {
  const styles = useStyles();
  return (
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
        onClick={() => onOpen(map)}
        aria-label={`Show the queue of ${map.title}`}
        title="Show the queue"
        data-testid={`queue-${map.name}`}
      >
        View queue
      </Button>
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
