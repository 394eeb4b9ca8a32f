import { Button, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { Add16Regular } from '@fluentui/react-icons';
import { DeleteRuleDialog } from '../components/alerts/DeleteRuleDialog';
import { DesktopNotificationsBar } from '../components/alerts/DesktopNotificationsBar';
import { FiredAlerts } from '../components/alerts/FiredAlerts';
import { RuleDialog } from '../components/alerts/RuleDialog';
import { RulesTable } from '../components/alerts/RulesTable';
import { useAlerts } from '../components/alerts/useAlerts';
import { ErrorBar } from '../components/ErrorBar';
import { PageHeader } from '../components/PageHeader';
import { desktopNotifier, type DesktopNotifier } from '../lib/notify';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '1400px' },
});

/** Alert rules (add, edit, enable, delete), desktop notifications, and the alerts that fired lately. */
export function AlertsPage({ notifier = desktopNotifier }: { notifier?: DesktopNotifier }) {
  const styles = useStyles();
  const alerts = useAlerts(notifier);
  const { rules, maps, error, editing, deleting, busy } = alerts;
  return (
    <div className={styles.page} data-testid="page-alerts">
      <PageHeader
        title="Alerts"
        description="Rules that watch for bursts of errors, and what Duet does when one fires."
        actions={
          <Button appearance="primary" icon={<Add16Regular />} onClick={alerts.add} data-testid="add-rule">
            Add rule
          </Button>
        }
      />
      <DesktopNotificationsBar
        permission={alerts.permission}
        busy={busy}
        onEnable={alerts.enableDesktop}
        onSendTest={alerts.sendTest}
      />
      {error ? <ErrorBar title="Cannot load alert rules" error={error} onRetry={alerts.load} /> : null}
      {rules === null ? (
        error ? null : <Spinner label="Loading alert rules…" />
      ) : (
        <RulesTable
          rules={rules}
          maps={maps}
          busy={busy}
          onToggle={alerts.toggle}
          onEdit={alerts.edit}
          onDelete={alerts.askDelete}
        />
      )}
      <FiredAlerts fired={alerts.fired} error={alerts.activityError} onRetry={alerts.load} />
      {editing ? (
        <RuleDialog key={editing.id ?? 'new'} initial={editing} maps={maps} onCancel={alerts.cancelEdit} onSaved={alerts.saved} />
      ) : null}
      {deleting ? (
        <DeleteRuleDialog rule={deleting} maps={maps} busy={busy} onCancel={alerts.cancelDelete} onDelete={alerts.remove} />
      ) : null}
    </div>
  );
}
