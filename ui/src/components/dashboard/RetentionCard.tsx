import { Button, Caption1, Card, Field, Input, Switch, Text, makeStyles, tokens } from '@fluentui/react-components';
import { Save20Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { RetentionView } from '../../bindings/RetentionView';
import { ErrorBar } from '../ErrorBar';
import { useNotify } from '../notify';

const useStyles = makeStyles({
  row: { display: 'flex', gap: tokens.spacingHorizontalL, alignItems: 'flex-end', flexWrap: 'wrap' },
  days: { width: '120px' },
  lines: { width: '160px' },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** The draft of the form: text as typed, so a half-typed number is not lost. */
interface Draft {
  activityDays: string;
  maxLines: string;
  pruneFailed: boolean;
  failedDays: string;
  keepBulkPayloads: boolean;
}

function draftOf(r: RetentionView, previous: Draft): Draft {
  return {
    activityDays: String(r.activityDays),
    maxLines: r.activityMaxLines === null || r.activityMaxLines === undefined ? previous.maxLines : String(r.activityMaxLines),
    pruneFailed: r.failedDays !== null,
    failedDays: r.failedDays !== null ? String(r.failedDays) : previous.failedDays,
    keepBulkPayloads: r.keepBulkPayloads ?? false,
  };
}

const EMPTY: Draft = { activityDays: '', maxLines: '', pruneFailed: false, failedDays: '30', keepBulkPayloads: false };

/** What the activity log keeps and for how long: days, a line cap, failed changes, and
 * whether bulk writes' lines keep the row written. */
export function RetentionCard() {
  const styles = useStyles();
  const notify = useNotify();
  const [loaded, setLoaded] = useState(false);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const edit = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));

  const show = useCallback((r: RetentionView) => {
    setDraft((previous) => draftOf(r, previous));
    setLoaded(true);
  }, []);

  useEffect(() => {
    backend.retention().then(show, (e: unknown) => setError(toApiError(e)));
  }, [show]);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await backend.setRetention({
        activityDays: Number(draft.activityDays),
        failedDays: draft.pruneFailed ? Number(draft.failedDays) : null,
        activityMaxLines: Number(draft.maxLines),
        keepBulkPayloads: draft.keepBulkPayloads,
      });
      show(next);
      notify.success('Retention saved', 'Older log lines were removed.');
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card data-testid="retention">
      <Text weight="semibold">Log retention</Text>
      <Caption1 className={styles.muted}>
        Every hour, activity lines and dashboard samples older than the days below are removed, and the oldest lines
        beyond the line cap, so the log file stays bounded. Failed changes stay until they are retried unless you choose
        otherwise; a failure's line always keeps what was sent and what the service answered.
      </Caption1>
      <div className={styles.row}>
        <Field label="Keep activity for (days)">
          <Input
            className={styles.days}
            type="number"
            value={draft.activityDays}
            onChange={(_, d) => edit({ activityDays: d.value })}
            data-testid="retention-activity-days"
          />
        </Field>
        <Field label="Keep at most (lines)" hint="10,000 to 1,000,000,000">
          <Input
            className={styles.lines}
            type="number"
            value={draft.maxLines}
            onChange={(_, d) => edit({ maxLines: d.value })}
            data-testid="retention-max-lines"
          />
        </Field>
        <Switch
          label="Remove failed changes after"
          checked={draft.pruneFailed}
          onChange={(_, d) => edit({ pruneFailed: d.checked })}
          data-testid="retention-prune-failed"
        />
        <Field label="Days">
          <Input
            className={styles.days}
            type="number"
            value={draft.failedDays}
            disabled={!draft.pruneFailed}
            onChange={(_, d) => edit({ failedDays: d.value })}
            data-testid="retention-failed-days"
          />
        </Field>
        <Switch
          label="Keep the row written on bulk lines"
          checked={draft.keepBulkPayloads}
          onChange={(_, d) => edit({ keepBulkPayloads: d.checked })}
          data-testid="retention-bulk-payloads"
        />
        <Button
          appearance="primary"
          icon={<Save20Regular />}
          onClick={() => void save()}
          disabled={busy || !loaded}
          data-testid="retention-save"
        >
          Save
        </Button>
      </div>
      {error ? <ErrorBar title="Retention was not saved" error={error} /> : null}
    </Card>
  );
}
