import {
  Card,
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
import type { ActivityEntry } from '../../bindings/ActivityEntry';
import type { ApiError } from '../../bindings/ApiError';
import { formatDateTime, formatRowTime } from '../../lib/format';
import { ErrorBar } from '../ErrorBar';
import { useAlertsStyles } from './styles';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  nowrap: { whiteSpace: 'nowrap' },
  message: { overflowWrap: 'anywhere' },
});

/** The alerts that fired lately, newest first, from the activity log. */
export function FiredAlerts({
  fired,
  error,
  onRetry,
}: {
  fired: readonly ActivityEntry[];
  error: ApiError | null;
  onRetry: () => void;
}) {
  const styles = useStyles();
  const shared = useAlertsStyles();
  return (
    <section className={styles.section} aria-labelledby="fired-alerts-title">
      <Subtitle2 as="h3" id="fired-alerts-title">
        Recent alerts
      </Subtitle2>
      {error ? <ErrorBar title="Cannot load recent alerts" error={error} onRetry={onRetry} /> : null}
      <Card className={shared.card}>
        <Table size="small" aria-label="Recent alerts" data-testid="fired-alerts">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Time</TableHeaderCell>
              <TableHeaderCell>Map</TableHeaderCell>
              <TableHeaderCell>Message</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {fired.length === 0 ? (
              <TableRow>
                <TableCell colSpan={3}>
                  <div className={shared.empty} data-testid="fired-alerts-empty">
                    No alert has fired recently.
                  </div>
                </TableCell>
              </TableRow>
            ) : null}
            {fired.map((entry) => (
              <TableRow key={entry.id} data-testid="fired-alert">
                <TableCell className={styles.nowrap}>
                  <time dateTime={entry.at} title={formatDateTime(entry.at)}>
                    {formatRowTime(entry.at)}
                  </time>
                </TableCell>
                <TableCell className={shared.mono}>{entry.map}</TableCell>
                <TableCell className={styles.message}>{entry.message}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </section>
  );
}
