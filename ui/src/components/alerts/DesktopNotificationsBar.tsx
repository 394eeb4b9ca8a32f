import { Button, MessageBar, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import { Alert16Regular } from '@fluentui/react-icons';
import { permissionIntent, permissionText, type DesktopPermission } from '../../lib/notify';

const useStyles = makeStyles({
  notifyBar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
});

/** Whether alerts also reach the desktop, a button to ask for that, and one to send a test alert. */
export function DesktopNotificationsBar({
  permission,
  busy,
  onEnable,
  onSendTest,
}: {
  permission: DesktopPermission;
  busy: boolean;
  onEnable: () => void;
  onSendTest: () => void;
}) {
  const styles = useStyles();
  return (
    <MessageBar intent={permissionIntent(permission)} data-testid="desktop-notifications">
      <MessageBarBody className={styles.notifyBar}>
        <span data-testid="desktop-notifications-status" data-permission={permission}>
          {permissionText(permission)}
        </span>
        {permission === 'default' ? (
          <Button size="small" icon={<Alert16Regular />} onClick={onEnable} data-testid="enable-desktop-notifications">
            Enable desktop notifications
          </Button>
        ) : null}
        <Button size="small" onClick={onSendTest} disabled={busy} data-testid="send-test-alert">
          Send a test alert
        </Button>
      </MessageBarBody>
    </MessageBar>
  );
}
