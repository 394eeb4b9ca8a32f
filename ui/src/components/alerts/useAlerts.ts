import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ActivityEntry } from '../../bindings/ActivityEntry';
import type { AlertRuleView } from '../../bindings/AlertRuleView';
import type { ApiError } from '../../bindings/ApiError';
import type { MapView } from '../../bindings/MapView';
import { mergeActivity } from '../../lib/activity';
import { emptyRuleForm, firedAlerts, ruleSubject, ruleSummary, ruleToForm, upsertRule, type RuleForm } from '../../lib/alerts';
import { permissionOutcome, type DesktopNotifier, type DesktopPermission } from '../../lib/notify';
import { useNotify } from '../notify';

const ACTIVITY_LIMIT = 1000;
const FIRED_SHOWN = 50;

type Notify = ReturnType<typeof useNotify>;

/**
 * The Alerts page's state and what it does: loads the rules, the maps (for their titles) and
 * the alerts that fired, adds, edits, toggles and deletes rules, asks for desktop
 * notifications and sends a test alert.
 */
export function useAlerts(notifier: DesktopNotifier) {
  const notify = useNotify();
  const { rules, setRules, maps, activity, setActivity, error, activityError, load } = useAlertsData(notify);
  const desktop = useDesktopNotifications(notifier, notify, (entry) => setActivity((current) => mergeActivity(current, [entry])));
  const [editing, setEditing] = useState<RuleForm | null>(null);
  const [deleting, setDeleting] = useState<AlertRuleView | null>(null);
  const [busy, setBusy] = useState(false);

  const saved = (rule: AlertRuleView, isNew: boolean) => {
    setRules((current) => upsertRule(current ?? [], rule));
    setEditing(null);
    notify.success(isNew ? 'Alert rule added' : 'Alert rule saved', ruleSummary(rule, maps));
  };

  const toggle = async (rule: AlertRuleView, enabled: boolean) => {
    setBusy(true);
    try {
      const value = await backend.saveAlertRule({ ...rule, enabled });
      setRules((current) => upsertRule(current ?? [], value));
      notify.success(enabled ? 'Alert rule enabled' : 'Alert rule disabled', ruleSubject(rule, maps));
    } catch (e) {
      notify.error(enabled ? 'Cannot enable the rule' : 'Cannot disable the rule', toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (rule: AlertRuleView) => {
    if (rule.id === null) return;
    setBusy(true);
    try {
      await backend.deleteAlertRule(rule.id);
      setRules((current) => (current ?? []).filter((r) => r.id !== rule.id));
      setDeleting(null);
      notify.success('Alert rule deleted', ruleSubject(rule, maps));
    } catch (e) {
      notify.error('Cannot delete the rule', toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return {
    rules,
    maps,
    error,
    activityError,
    editing,
    deleting,
    busy,
    ...desktop,
    /** The newest alerts that fired, newest first. */
    fired: firedAlerts(activity).slice(0, FIRED_SHOWN),
    load,
    add: () => setEditing(emptyRuleForm()),
    edit: (rule: AlertRuleView) => setEditing(ruleToForm(rule)),
    cancelEdit: () => setEditing(null),
    saved,
    toggle: (rule: AlertRuleView, enabled: boolean) => void toggle(rule, enabled),
    askDelete: (rule: AlertRuleView) => setDeleting(rule),
    cancelDelete: () => setDeleting(null),
    remove: (rule: AlertRuleView) => void remove(rule),
  };
}

export type Alerts = ReturnType<typeof useAlerts>;

/** The rules, the maps and the activity, loaded together; alerts that fire join the activity. */
function useAlertsData(notify: Notify) {
  const [rules, setRules] = useState<AlertRuleView[] | null>(null);
  const [maps, setMaps] = useState<MapView[]>([]);
  const [activity, setActivity] = useState<ActivityEntry[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [activityError, setActivityError] = useState<ApiError | null>(null);

  const load = useCallback(() => {
    backend.alertRules().then(
      (value) => {
        setRules(value);
        setError(null);
      },
      (e: unknown) => setError(toApiError(e)),
    );
    // The map list only feeds the dropdown and titles; the rules show without it.
    backend.maps().then(setMaps, (e: unknown) => notify.error('Cannot load the maps', toApiError(e)));
    backend.activity(ACTIVITY_LIMIT).then(
      (value) => {
        setActivity((current) => mergeActivity(current, value));
        setActivityError(null);
      },
      (e: unknown) => setActivityError(toApiError(e)),
    );
  }, [notify]);

  useEffect(() => {
    const unsubscribe = backend.subscribe((event) => {
      if (event.type === 'activity' && event.entry.status === 'alert') {
        setActivity((current) => mergeActivity(current, [event.entry]));
      }
    });
    load();
    return unsubscribe;
  }, [load]);

  return { rules, setRules, maps, activity, setActivity, error, activityError, load };
}

/** Whether alerts reach the desktop, asking for it, and a test alert (handed to `onTestSent`). */
function useDesktopNotifications(notifier: DesktopNotifier, notify: Notify, onTestSent: (entry: ActivityEntry) => void) {
  const [permission, setPermission] = useState<DesktopPermission>(() => notifier.permission());

  const enableDesktop = async () => {
    const result = await notifier.requestPermission();
    setPermission(result);
    const outcome = permissionOutcome(result);
    if (outcome.intent === 'success') notify.success(outcome.title, outcome.text);
    else notify.warning(outcome.title, outcome.text);
  };

  const sendTest = async () => {
    try {
      onTestSent(await backend.sendTestAlert());
    } catch (e) {
      notify.error('Cannot send a test alert', toApiError(e));
    }
  };

  return {
    permission,
    enableDesktop: () => void enableDesktop(),
    sendTest: () => void sendTest(),
  };
}
