import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Radio,
  RadioGroup,
  Spinner,
  Subtitle2,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { Add16Regular, Alert16Regular, Delete16Regular, Edit16Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { backend, toApiError } from '../backend';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { AlertRuleView } from '../bindings/AlertRuleView';
import type { ApiError } from '../bindings/ApiError';
import type { MapView } from '../bindings/MapView';
import { ErrorBar } from '../components/ErrorBar';
import { useNotify } from '../components/notify';
import { PageHeader } from '../components/PageHeader';
import { mergeActivity } from '../lib/activity';
import {
  ALERT_ACTIONS,
  ALERT_CLASSES,
  ALL_MAPS,
  alertActionLabel,
  alertClassLabel,
  emptyRuleForm,
  firedAlerts,
  formToRule,
  hasErrors,
  ruleCondition,
  ruleToForm,
  upsertRule,
  validateRuleForm,
  type RuleForm,
  type RuleFormErrors,
} from '../lib/alerts';
import { formatDateTime, formatRowTime } from '../lib/format';
import { desktopNotifier, permissionText, type DesktopNotifier, type DesktopPermission } from '../lib/notify';

const ACTIVITY_LIMIT = 1000;
const FIRED_SHOWN = 50;

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '1400px' },
  card: { padding: 0, overflowX: 'auto' },
  table: { minWidth: '900px', tableLayout: 'auto' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  muted: { color: tokens.colorNeutralForeground3 },
  nowrap: { whiteSpace: 'nowrap' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, justifyContent: 'flex-end' },
  empty: { padding: tokens.spacingHorizontalXXL, textAlign: 'center', color: tokens.colorNeutralForeground3 },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  notifyBar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  numbers: { display: 'grid', gridTemplateColumns: '1fr 1fr', gap: tokens.spacingHorizontalM, alignItems: 'start' },
  disabledRow: { color: tokens.colorNeutralForeground3 },
  message: { overflowWrap: 'anywhere' },
});

export function AlertsPage({ notifier = desktopNotifier }: { notifier?: DesktopNotifier }) {
  const styles = useStyles();
  const notify = useNotify();
  const [rules, setRules] = useState<AlertRuleView[] | null>(null);
  const [maps, setMaps] = useState<MapView[]>([]);
  const [activity, setActivity] = useState<ActivityEntry[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [activityError, setActivityError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState<RuleForm | null>(null);
  const [deleting, setDeleting] = useState<AlertRuleView | null>(null);
  const [busy, setBusy] = useState(false);
  const [permission, setPermission] = useState<DesktopPermission>(() => notifier.permission());

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

  const mapTitle = (name: string | null) => {
    if (name === null) return 'All maps';
    return maps.find((m) => m.name === name)?.title ?? name;
  };

  const onSaved = (saved: AlertRuleView, isNew: boolean) => {
    setRules((current) => upsertRule(current ?? [], saved));
    setEditing(null);
    notify.success(
      isNew ? 'Alert rule added' : 'Alert rule saved',
      `${alertClassLabel(saved.class)} on ${mapTitle(saved.map)}: ${ruleCondition(saved)}, ${alertActionLabel(saved.action).toLowerCase()}`,
    );
  };

  const toggle = async (rule: AlertRuleView, enabled: boolean) => {
    setBusy(true);
    try {
      const saved = await backend.saveAlertRule({ ...rule, enabled });
      setRules((current) => upsertRule(current ?? [], saved));
      notify.success(enabled ? 'Alert rule enabled' : 'Alert rule disabled', `${alertClassLabel(rule.class)} on ${mapTitle(rule.map)}`);
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
      notify.success('Alert rule deleted', `${alertClassLabel(rule.class)} on ${mapTitle(rule.map)}`);
    } catch (e) {
      notify.error('Cannot delete the rule', toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const enableDesktop = async () => {
    const result = await notifier.requestPermission();
    setPermission(result);
    if (result === 'granted') notify.success('Desktop notifications enabled', 'Alerts now also show as system notifications.');
    else if (result === 'unsupported') notify.warning('Desktop notifications are not available', permissionText(result));
    else notify.warning('Desktop notifications not allowed', permissionText(result));
  };

  const sendTest = async () => {
    try {
      const entry = await backend.sendTestAlert();
      setActivity((current) => mergeActivity(current, [entry]));
    } catch (e) {
      notify.error('Cannot send a test alert', toApiError(e));
    }
  };

  const fired = firedAlerts(activity).slice(0, FIRED_SHOWN);

  return (
    <div className={styles.page} data-testid="page-alerts">
      <PageHeader
        title="Alerts"
        description="Rules that watch for bursts of errors, and what Duet does when one fires."
        actions={
          <Button
            appearance="primary"
            icon={<Add16Regular />}
            onClick={() => setEditing(emptyRuleForm())}
            data-testid="add-rule"
          >
            Add rule
          </Button>
        }
      />

      <MessageBar intent={permission === 'granted' || permission === 'shell' ? 'success' : 'info'} data-testid="desktop-notifications">
        <MessageBarBody className={styles.notifyBar}>
          <span data-testid="desktop-notifications-status" data-permission={permission}>
            {permissionText(permission)}
          </span>
          {permission === 'default' ? (
            <Button size="small" icon={<Alert16Regular />} onClick={() => void enableDesktop()} data-testid="enable-desktop-notifications">
              Enable desktop notifications
            </Button>
          ) : null}
          <Button size="small" onClick={() => void sendTest()} disabled={busy} data-testid="send-test-alert">
            Send a test alert
          </Button>
        </MessageBarBody>
      </MessageBar>

      {error ? <ErrorBar title="Cannot load alert rules" error={error} onRetry={load} /> : null}
      {rules === null ? (
        error ? null : <Spinner label="Loading alert rules…" />
      ) : (
        <Card className={styles.card}>
          <Table className={styles.table} aria-label="Alert rules" size="small" data-testid="rules-table">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Map</TableHeaderCell>
                <TableHeaderCell>Error class</TableHeaderCell>
                <TableHeaderCell>Fires at</TableHeaderCell>
                <TableHeaderCell>Action</TableHeaderCell>
                <TableHeaderCell>Enabled</TableHeaderCell>
                <TableHeaderCell aria-label="Actions" />
              </TableRow>
            </TableHeader>
            <TableBody>
              {rules.length === 0 ? (
                <TableRow>
                  <TableCell colSpan={6}>
                    <div className={styles.empty} data-testid="rules-empty">
                      No alert rules yet. Add one to be told when errors pile up.
                    </div>
                  </TableCell>
                </TableRow>
              ) : null}
              {rules.map((rule) => (
                <TableRow
                  key={rule.id ?? 'new'}
                  className={mergeClasses(!rule.enabled && styles.disabledRow)}
                  data-testid="rule-row"
                  data-id={rule.id ?? undefined}
                >
                  <TableCell data-testid="rule-map">{mapTitle(rule.map)}</TableCell>
                  <TableCell data-testid="rule-class">
                    <Badge appearance="outline" color="informative" className={styles.mono}>
                      {rule.class}
                    </Badge>
                  </TableCell>
                  <TableCell data-testid="rule-condition">{ruleCondition(rule)}</TableCell>
                  <TableCell data-testid="rule-action">{alertActionLabel(rule.action)}</TableCell>
                  <TableCell>
                    <Switch
                      checked={rule.enabled}
                      disabled={busy}
                      aria-label={rule.enabled ? 'Enabled' : 'Disabled'}
                      onChange={(_, data) => void toggle(rule, data.checked)}
                      data-testid="rule-enabled"
                    />
                  </TableCell>
                  <TableCell>
                    <div className={styles.actions}>
                      <Button size="small" icon={<Edit16Regular />} onClick={() => setEditing(ruleToForm(rule))} data-testid="rule-edit">
                        Edit
                      </Button>
                      <Button
                        size="small"
                        icon={<Delete16Regular />}
                        disabled={busy}
                        onClick={() => setDeleting(rule)}
                        data-testid="rule-delete"
                      >
                        Delete
                      </Button>
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}

      <section className={styles.section} aria-labelledby="fired-alerts-title">
        <Subtitle2 as="h3" id="fired-alerts-title">
          Recent alerts
        </Subtitle2>
        {activityError ? <ErrorBar title="Cannot load recent alerts" error={activityError} onRetry={load} /> : null}
        <Card className={styles.card}>
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
                    <div className={styles.empty} data-testid="fired-alerts-empty">
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
                  <TableCell className={styles.mono}>{entry.map}</TableCell>
                  <TableCell className={styles.message}>{entry.message}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      </section>

      {editing ? (
        <RuleDialog
          key={editing.id ?? 'new'}
          initial={editing}
          maps={maps}
          onCancel={() => setEditing(null)}
          onSaved={onSaved}
        />
      ) : null}

      {deleting ? (
        <Dialog open onOpenChange={(_, data) => (data.open ? undefined : setDeleting(null))}>
          <DialogSurface data-testid="delete-rule-dialog">
            <DialogBody>
              <DialogTitle>Delete this alert rule?</DialogTitle>
              <DialogContent>
                <Body1>
                  {alertClassLabel(deleting.class)} on {mapTitle(deleting.map)}, {ruleCondition(deleting)} (
                  {alertActionLabel(deleting.action).toLowerCase()}). It stops watching at once; this cannot be undone.
                </Body1>
              </DialogContent>
              <DialogActions>
                <Button appearance="secondary" onClick={() => setDeleting(null)} data-testid="confirm-cancel">
                  Cancel
                </Button>
                <Button appearance="primary" disabled={busy} onClick={() => void remove(deleting)} data-testid="confirm-ok">
                  Delete rule
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
    </div>
  );
}

function RuleDialog({
  initial,
  maps,
  onCancel,
  onSaved,
}: {
  initial: RuleForm;
  maps: readonly MapView[];
  onCancel: () => void;
  onSaved: (rule: AlertRuleView, isNew: boolean) => void;
}) {
  const styles = useStyles();
  const [form, setForm] = useState<RuleForm>(initial);
  const [touched, setTouched] = useState<Partial<Record<keyof RuleFormErrors, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<ApiError | null>(null);
  const isNew = initial.id === null;

  const mapNames = maps.length > 0 ? maps.map((m) => m.name) : undefined;
  const errors = validateRuleForm(form, mapNames);
  const shown = (field: keyof RuleFormErrors) => ((submitted || touched[field]) && errors[field]) || undefined;

  const set = <K extends keyof RuleForm>(field: K, value: RuleForm[K]) => {
    setForm((f) => ({ ...f, [field]: value }));
    setServerError(null);
  };
  const touch = (field: keyof RuleFormErrors) => setTouched((t) => ({ ...t, [field]: true }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (hasErrors(errors)) return;
    setSaving(true);
    try {
      onSaved(await backend.saveAlertRule(formToRule(form)), isNew);
    } catch (e) {
      setServerError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  const mapLabel = form.map === ALL_MAPS ? 'All maps' : (maps.find((m) => m.name === form.map)?.title ?? form.map);

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onCancel())}>
      <DialogSurface data-testid="rule-dialog">
        <form onSubmit={(e) => void submit(e)} noValidate>
          <DialogBody>
            <DialogTitle>{isNew ? 'Add alert rule' : 'Edit alert rule'}</DialogTitle>
            <DialogContent className={styles.form}>
              {serverError ? (
                <MessageBar intent="error" layout="multiline" data-testid="rule-server-error">
                  <MessageBarBody>
                    <MessageBarTitle>Cannot save the rule</MessageBarTitle>
                    {serverError.message} <span>(code: {serverError.code})</span>
                  </MessageBarBody>
                </MessageBar>
              ) : null}
              <Field label="Map" validationMessage={shown('map')} hint="Watch one map, or every map.">
                <Dropdown
                  value={mapLabel}
                  selectedOptions={[form.map]}
                  onOptionSelect={(_, data) => {
                    set('map', data.optionValue ?? ALL_MAPS);
                    touch('map');
                  }}
                  data-testid="rule-map-select"
                >
                  <Option value={ALL_MAPS} data-testid="rule-map-option-all">
                    All maps
                  </Option>
                  {maps.map((m) => (
                    <Option key={m.name} value={m.name} text={m.title} data-testid={`rule-map-option-${m.name}`}>
                      {`${m.title} (${m.name})`}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
              <Field label="Error class" required validationMessage={shown('class')}>
                <Dropdown
                  placeholder="Choose an error class"
                  value={form.class ? alertClassLabel(form.class) : ''}
                  selectedOptions={form.class ? [form.class] : []}
                  onOptionSelect={(_, data) => {
                    set('class', data.optionValue ?? '');
                    touch('class');
                  }}
                  data-testid="rule-class-select"
                >
                  {ALERT_CLASSES.map((c) => (
                    <Option key={c} value={c} text={alertClassLabel(c)} data-testid={`rule-class-option-${c.replace('/', '-')}`}>
                      {alertClassLabel(c)}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
              <div className={styles.numbers}>
                <Field label="Errors (threshold)" required validationMessage={shown('threshold')}>
                  <Input
                    type="number"
                    min={1}
                    inputMode="numeric"
                    value={form.threshold}
                    onChange={(_, data) => {
                      set('threshold', data.value);
                      touch('threshold');
                    }}
                    data-testid="rule-threshold"
                  />
                </Field>
                <Field label="Within (minutes)" required validationMessage={shown('windowMinutes')}>
                  <Input
                    type="number"
                    min={1}
                    max={24 * 60}
                    inputMode="numeric"
                    value={form.windowMinutes}
                    onChange={(_, data) => {
                      set('windowMinutes', data.value);
                      touch('windowMinutes');
                    }}
                    data-testid="rule-window"
                  />
                </Field>
              </div>
              <Field label="When it fires" validationMessage={shown('action')}>
                <RadioGroup
                  value={form.action}
                  onChange={(_, data) => set('action', data.value as RuleForm['action'])}
                  data-testid="rule-action-group"
                >
                  {ALERT_ACTIONS.map((a) => (
                    <Radio key={a} value={a} label={alertActionLabel(a)} data-testid={`rule-action-${a}`} />
                  ))}
                </RadioGroup>
              </Field>
              <Switch
                checked={form.enabled}
                label={form.enabled ? 'Enabled' : 'Disabled'}
                onChange={(_, data) => set('enabled', data.checked)}
                data-testid="rule-enabled-input"
              />
              <Caption1 className={styles.muted}>
                {hasErrors(errors) ? 'Fix the fields marked above.' : `Fires at ${ruleCondition(formToRule(form))}.`}
              </Caption1>
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" type="button" onClick={onCancel} data-testid="rule-cancel">
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={saving} data-testid="rule-save">
                {saving ? 'Saving…' : isNew ? 'Add rule' : 'Save rule'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
