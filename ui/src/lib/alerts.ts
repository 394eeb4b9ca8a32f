import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { AlertAction } from '../bindings/AlertAction';
import type { AlertRuleView } from '../bindings/AlertRuleView';
import type { MapView } from '../bindings/MapView';
import { countOf } from './queue';

/** The error classes a rule can watch, as the engine classifies failures. */
export const ALERT_CLASSES = ['application', '400', '401/403', '404', '412', '429', '502', '503', 'timeout', 'other'] as const;
export const ALERT_ACTIONS: readonly AlertAction[] = ['none', 'pause', 'stop'];
/** The backend refuses windows longer than a day. */
export const MAX_WINDOW_MINUTES = 24 * 60;
/** The map dropdown's value for "every map" (a rule with `map: null`). */
export const ALL_MAPS = '__all__';

const CLASS_LABELS: Record<string, string> = {
  application: 'Application error',
  '400': '400 Bad request',
  '401/403': '401/403 Not authorized',
  '404': '404 Not found',
  '412': '412 Precondition failed',
  '429': '429 Throttled',
  '502': '502 Bad gateway',
  '503': '503 Unavailable',
  timeout: 'Timeout',
  other: 'Other',
};

export function alertClassLabel(cls: string): string {
  return CLASS_LABELS[cls] ?? cls;
}

export function alertActionLabel(action: AlertAction): string {
  switch (action) {
    case 'none':
      return 'Notify only';
    case 'pause':
      return 'Pause the map';
    case 'stop':
      return 'Stop the map';
    default:
      return String(action);
  }
}

/** What the toast says was done to the map. */
export function alertActionTaken(action: AlertAction, map: string): string {
  switch (action) {
    case 'pause':
      return `${map} was paused.`;
    case 'stop':
      return `${map} was stopped.`;
    default:
      return 'No action taken; the map keeps running.';
  }
}

/** "3 errors in 5 minutes". */
export function ruleCondition(rule: Pick<AlertRuleView, 'threshold' | 'windowMinutes'>): string {
  return `${countOf(rule.threshold, 'error')} in ${countOf(rule.windowMinutes, 'minute')}`;
}

/** A rule's map as the page names it: "All maps" for every map, else the map's title (its name when unknown). */
export function ruleMapTitle(map: string | null, maps: readonly Pick<MapView, 'name' | 'title'>[]): string {
  if (map === null) return 'All maps';
  return maps.find((m) => m.name === map)?.title ?? map;
}

/** "400 Bad request on Customers V3": what a rule watches. */
export function ruleSubject(rule: Pick<AlertRuleView, 'class' | 'map'>, maps: readonly Pick<MapView, 'name' | 'title'>[]): string {
  return `${alertClassLabel(rule.class)} on ${ruleMapTitle(rule.map, maps)}`;
}

/** "400 Bad request on All maps: 3 errors in 10 minutes, pause the map": a saved rule in one line. */
export function ruleSummary(rule: AlertRuleView, maps: readonly Pick<MapView, 'name' | 'title'>[]): string {
  return `${ruleSubject(rule, maps)}: ${ruleCondition(rule)}, ${alertActionLabel(rule.action).toLowerCase()}`;
}

/** The form holds text so half-typed numbers can be shown and checked. */
export interface RuleForm {
  id: number | null;
  /** A map name, or ALL_MAPS. */
  map: string;
  class: string;
  threshold: string;
  windowMinutes: string;
  action: AlertAction;
  enabled: boolean;
}

export type RuleFormErrors = Partial<Record<'map' | 'class' | 'threshold' | 'windowMinutes' | 'action', string>>;

export function emptyRuleForm(): RuleForm {
  return { id: null, map: ALL_MAPS, class: '', threshold: '5', windowMinutes: '10', action: 'none', enabled: true };
}

export function ruleToForm(rule: AlertRuleView): RuleForm {
  return {
    id: rule.id,
    map: rule.map ?? ALL_MAPS,
    class: rule.class,
    threshold: String(rule.threshold),
    windowMinutes: String(rule.windowMinutes),
    action: rule.action,
    enabled: rule.enabled,
  };
}

function wholeNumber(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

/** Checks a form the way the backend will; `mapNames` (when known) must contain the chosen map. */
export function validateRuleForm(form: RuleForm, mapNames?: readonly string[]): RuleFormErrors {
  const errors: RuleFormErrors = {};
  if (form.map !== ALL_MAPS && mapNames && !mapNames.includes(form.map)) errors.map = `There is no map named “${form.map}”.`;
  if (!form.class) errors.class = 'Choose the error class to watch.';
  else if (!(ALERT_CLASSES as readonly string[]).includes(form.class)) errors.class = `“${form.class}” is not an error class.`;
  const threshold = wholeNumber(form.threshold);
  if (form.threshold.trim() === '') errors.threshold = 'Enter how many errors fire the alert.';
  else if (threshold === null || threshold < 1) errors.threshold = 'The threshold must be a whole number, at least 1.';
  else if (threshold > 1_000_000) errors.threshold = 'The threshold can be at most 1,000,000.';
  const window = wholeNumber(form.windowMinutes);
  if (form.windowMinutes.trim() === '') errors.windowMinutes = 'Enter the window in minutes.';
  else if (window === null || window < 1 || window > MAX_WINDOW_MINUTES)
    errors.windowMinutes = `The window must be a whole number of minutes from 1 to ${MAX_WINDOW_MINUTES} (24 hours).`;
  if (!ALERT_ACTIONS.includes(form.action)) errors.action = 'Choose what happens when the rule fires.';
  return errors;
}

export function hasErrors(errors: RuleFormErrors): boolean {
  return Object.values(errors).some(Boolean);
}

export type RuleFormField = keyof RuleFormErrors;

/** A field's error as the form shows it: once the field was touched, or every one after a submit. */
export function shownError(
  errors: RuleFormErrors,
  field: RuleFormField,
  touched: Partial<Record<RuleFormField, boolean>>,
  submitted: boolean,
): string | undefined {
  return ((submitted || touched[field]) && errors[field]) || undefined;
}

/** The rule to send; call only on a form without errors. */
export function formToRule(form: RuleForm): AlertRuleView {
  return {
    id: form.id,
    map: form.map === ALL_MAPS ? null : form.map,
    class: form.class,
    threshold: Number(form.threshold.trim()),
    windowMinutes: Number(form.windowMinutes.trim()),
    action: form.action,
    enabled: form.enabled,
  };
}

/** Replaces the rule with the same id, or appends it; keeps id order. */
export function upsertRule(rules: readonly AlertRuleView[], rule: AlertRuleView): AlertRuleView[] {
  const next = rules.filter((r) => r.id !== rule.id);
  next.push(rule);
  return next.sort((a, b) => (a.id ?? Number.MAX_SAFE_INTEGER) - (b.id ?? Number.MAX_SAFE_INTEGER));
}

/** Activity lines of fired alerts, newest first. */
export function firedAlerts(entries: readonly ActivityEntry[]): ActivityEntry[] {
  return entries.filter((e) => e.status === 'alert').sort((a, b) => b.id - a.id);
}
