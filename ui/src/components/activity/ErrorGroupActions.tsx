import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwise16Regular, ArrowDownload16Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ErrorGroupView } from '../../bindings/ErrorGroupView';
import { formatCount } from '../../lib/format';
import { retryGroupQuestion } from '../../lib/activityLog';
import { useNotify } from '../notify';

const useStyles = makeStyles({
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS },
  pattern: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, wordBreak: 'break-word' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

interface Props {
  group: ErrorGroupView;
  /** Exports the group's lines as CSV (the page's one export, with its progress and errors). */
  onExport: (group: ErrorGroupView) => void;
  exporting: boolean;
  /** Called after a retry, so the groups are read again. */
  onRetried: () => void;
}

/**
 * A group's Retry and Export buttons. Retry first counts the failed changes it would move
 * (a dry run) and asks with that count; only then are they queued again.
 */
export function ErrorGroupActions({ group, onExport, exporting, onRetried }: Props) {
  const styles = useStyles();
  const notify = useNotify();
  const [asking, setAsking] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  const ask = async () => {
    setBusy(true);
    try {
      setAsking((await backend.retryErrorGroup(group, true)).changes);
    } catch (e: unknown) {
      notify.error('Cannot count the changes of the group', toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const retry = async () => {
    setAsking(null);
    setBusy(true);
    try {
      const { changes } = await backend.retryErrorGroup(group, false);
      notify.success(`${formatCount(changes)} ${changes === 1 ? 'change' : 'changes'} of ${group.map} queued again`);
      onRetried();
    } catch (e: unknown) {
      notify.error('Cannot retry the group', toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={styles.actions}>
      {group.status === 'failed' ? (
        <Button size="small" icon={<ArrowClockwise16Regular />} disabled={busy} onClick={() => void ask()} data-testid="error-group-retry">
          Retry group
        </Button>
      ) : null}
      <Button
        size="small"
        appearance="subtle"
        icon={<ArrowDownload16Regular />}
        disabled={exporting}
        onClick={() => onExport(group)}
        data-testid="error-group-export"
      >
        Export group
      </Button>
      {asking !== null ? (
        <Dialog open onOpenChange={(_, data) => (data.open ? undefined : setAsking(null))}>
          <DialogSurface data-testid="retry-group-dialog">
            <DialogBody>
              <DialogTitle>Retry this error group?</DialogTitle>
              <DialogContent className={styles.content}>
                <Body1 data-testid="retry-group-text">{retryGroupQuestion(group.map, asking)}</Body1>
                <span className={styles.pattern}>{group.pattern}</span>
              </DialogContent>
              <DialogActions>
                <Button appearance="secondary" onClick={() => setAsking(null)} data-testid="confirm-cancel">
                  Cancel
                </Button>
                <Button appearance="primary" disabled={asking === 0} onClick={() => void retry()} data-testid="confirm-ok">
                  Retry {formatCount(asking)}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
    </div>
  );
}
