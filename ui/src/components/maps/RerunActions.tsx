import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
} from '@fluentui/react-components';
import { ArrowRepeatAll20Regular, ArrowRedo20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { MapView } from '../../bindings/MapView';
import { useNotify } from '../notify';

/**
 * Rerun a map's initial sync over every row (the queue is kept, rows the other side already
 * holds are not written again), or only the rows that failed.
 */
export function RerunActions({ map }: { map: MapView }) {
  const notify = useNotify();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  const rerun = async (failedOnly: boolean) => {
    setBusy(true);
    try {
      await backend.rerunMap(map.name, failedOnly);
      notify.success(
        failedOnly ? 'Failed rows queued again' : 'Initial sync started again',
        failedOnly
          ? `${map.failed} failed ${map.failed === 1 ? 'row is' : 'rows are'} tried again in order.`
          : `${map.title} reads every row again; rows already in step are not written.`,
      );
      setConfirming(false);
    } catch (e) {
      notify.error(failedOnly ? 'Cannot rerun the failed rows' : 'Cannot rerun the initial sync', toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button size="small" icon={<ArrowRepeatAll20Regular />} onClick={() => setConfirming(true)} data-testid="rerun-all">
        Rerun initial sync
      </Button>
      <Button
        size="small"
        icon={<ArrowRedo20Regular />}
        disabled={busy || map.failed === 0}
        onClick={() => void rerun(true)}
        data-testid="rerun-failed"
      >
        Rerun failed rows ({map.failed})
      </Button>
      <Dialog open={confirming} onOpenChange={(_, data) => setConfirming(data.open)}>
        <DialogSurface data-testid="rerun-dialog">
          <DialogBody>
            <DialogTitle>Rerun the initial sync of {map.title}?</DialogTitle>
            <DialogContent>
              Every row is read again from the source and compared with the other side; only rows that differ are
              written. Queued and failed changes are kept. Live sync resumes when the rerun ends.
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setConfirming(false)} data-testid="confirm-cancel">
                Cancel
              </Button>
              <Button appearance="primary" disabled={busy} onClick={() => void rerun(false)} data-testid="confirm-ok">
                Rerun
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
