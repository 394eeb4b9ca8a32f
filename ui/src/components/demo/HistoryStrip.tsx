import { Badge, Caption1, Card, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { ActivityEntry } from '../../bindings/ActivityEntry';
import { payloadSummary, withOlder } from '../../lib/demo';
import { formatRowTime } from '../../lib/format';
import { directionLabel, statusColor } from '../../lib/labels';

const useStyles = makeStyles({
  strip: { display: 'flex', gap: tokens.spacingHorizontalS, overflowX: 'auto', paddingBlockEnd: tokens.spacingVerticalXS },
  item: { minWidth: '220px', maxWidth: '280px', padding: tokens.spacingVerticalS, flexShrink: 0 },
  top: { display: 'flex', gap: tokens.spacingHorizontalXS, alignItems: 'center', flexWrap: 'wrap' },
  message: {
    display: '-webkit-box',
    WebkitLineClamp: 3,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
    overflowWrap: 'anywhere',
    color: tokens.colorNeutralForeground2,
  },
  empty: { color: tokens.colorNeutralForeground3 },
  values: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
});

/** The row's last changes on both sides, newest first, from the activity log. */
export function HistoryStrip({ history }: { history: ActivityEntry[] }) {
  const styles = useStyles();
  if (history.length === 0) {
    return <Text className={styles.empty}>Nothing has been synced for this row yet.</Text>;
  }
  return (
    <div className={styles.strip} data-testid="demo-history">
      {withOlder(history).map(([line, older]) => (
        <Card key={line.id} className={styles.item} data-testid="demo-history-item">
          <div className={styles.top}>
            <Caption1>{formatRowTime(line.at)}</Caption1>
            <Badge appearance="tint" color={statusColor(line.status, line.kind)}>
              {line.status}
            </Badge>
            {line.latencyMs !== null ? <Caption1>{line.latencyMs} ms</Caption1> : null}
          </div>
          <Caption1>{directionLabel(line.direction)}</Caption1>
          {payloadSummary(line.payload, older) ? (
            <Caption1 className={styles.values} data-testid="demo-history-values">
              {payloadSummary(line.payload, older)}
            </Caption1>
          ) : null}
          <Caption1 className={styles.message}>{line.message}</Caption1>
        </Card>
      ))}
    </div>
  );
}
