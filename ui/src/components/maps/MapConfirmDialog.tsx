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
import type { MapView } from '../../bindings/MapView';
import { discardConfirmation, stopConfirmation } from '../../lib/queue';

const useStyles = makeStyles({
  confirmText: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

/** Asks before a map is stopped, or resumed with its queue discarded, saying what is lost. */
export function MapConfirmDialog({
  kind,
  map,
  onCancel,
  onConfirm,
}: {
  kind: 'stop' | 'discard';
  map: MapView;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const styles = useStyles();
  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onCancel())}>
      <DialogSurface data-testid={`${kind}-dialog`}>
        <DialogBody>
          <DialogTitle>{kind === 'stop' ? `Stop ${map.title}?` : `Discard the queue of ${map.title}?`}</DialogTitle>
          <DialogContent className={styles.confirmText} data-testid="confirm-text">
            {kind === 'stop' ? (
              stopConfirmation(map).map((line) => <Body1 key={line}>{line}</Body1>)
            ) : (
              <Body1>{discardConfirmation(map)}</Body1>
            )}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onCancel} data-testid="confirm-cancel">
              Cancel
            </Button>
            <Button appearance="primary" onClick={onConfirm} data-testid="confirm-ok">
              {kind === 'stop' ? 'Stop map' : 'Discard and resume'}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
