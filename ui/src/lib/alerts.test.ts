import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { AlertRuleView } from '../bindings/AlertRuleView';
import {
  ALL_MAPS,
  alertActionTaken,
  emptyRuleForm,
  firedAlerts,
  formToRule,
  hasErrors,
  ruleCondition,
  ruleMapTitle,
  ruleSubject,
  ruleSummary,
  ruleToForm,
  shownError,
  upsertRule,
  validateRuleForm,
  type RuleForm,
} from './alerts';

const valid: RuleForm = { id: null, map: ALL_MAPS, class: '400', threshold: '1', windowMinutes: '5', action: 'none', enabled: true };

describe('validateRuleForm', () => {
  it('accepts a complete rule', () => {
    expect(validateRuleForm(valid)).toEqual({});
    expect(validateRuleForm({ ...valid, map: 'customers' }, ['customers'])).toEqual({});
    expect(validateRuleForm({ ...valid, windowMinutes: '1440', threshold: ' 12 ' })).toEqual({});
  });
  it('requires a class from the list', () => {
    expect(validateRuleForm({ ...valid, class: '' }).class).toMatch(/Choose/);
    expect(validateRuleForm({ ...valid, class: '500' }).class).toMatch(/not an error class/);
    expect(validateRuleForm({ ...valid, class: '401/403' }).class).toBeUndefined();
  });
  it('wants a whole threshold of at least 1', () => {
    expect(validateRuleForm({ ...valid, threshold: '' }).threshold).toMatch(/Enter/);
    expect(validateRuleForm({ ...valid, threshold: '0' }).threshold).toMatch(/at least 1/);
    expect(validateRuleForm({ ...valid, threshold: '-2' }).threshold).toMatch(/at least 1/);
    expect(validateRuleForm({ ...valid, threshold: '1.5' }).threshold).toMatch(/whole number/);
    expect(validateRuleForm({ ...valid, threshold: 'abc' }).threshold).toMatch(/whole number/);
  });
  it('wants a window from 1 minute to 24 hours', () => {
    expect(validateRuleForm({ ...valid, windowMinutes: '' }).windowMinutes).toMatch(/Enter/);
    expect(validateRuleForm({ ...valid, windowMinutes: '0' }).windowMinutes).toMatch(/1 to 1440/);
    expect(validateRuleForm({ ...valid, windowMinutes: '1441' }).windowMinutes).toMatch(/24 hours/);
  });
  it('rejects a map that does not exist, when maps are known', () => {
    expect(validateRuleForm({ ...valid, map: 'ghost' }, ['customers']).map).toMatch(/ghost/);
    expect(validateRuleForm({ ...valid, map: 'ghost' }).map).toBeUndefined();
  });
  it('flags an empty new form', () => {
    expect(hasErrors(validateRuleForm(emptyRuleForm()))).toBe(true);
    expect(hasErrors(validateRuleForm(valid))).toBe(false);
  });
});

describe('shownError', () => {
  const errors = validateRuleForm({ ...valid, class: '', threshold: '0' });
  it('hides errors of untouched fields until the form is submitted', () => {
    expect(shownError(errors, 'class', {}, false)).toBeUndefined();
    expect(shownError(errors, 'class', { threshold: true }, false)).toBeUndefined();
    expect(shownError(errors, 'threshold', { threshold: true }, false)).toMatch(/at least 1/);
    expect(shownError(errors, 'class', {}, true)).toMatch(/Choose/);
  });
  it('shows nothing for a field without an error', () => {
    expect(shownError(errors, 'windowMinutes', { windowMinutes: true }, true)).toBeUndefined();
  });
});

describe('form conversion', () => {
  it('round-trips a rule and maps "All maps" to null', () => {
    const rule: AlertRuleView = { id: 4, map: null, class: '503', threshold: 3, windowMinutes: 10, action: 'pause', enabled: false };
    expect(ruleToForm(rule).map).toBe(ALL_MAPS);
    expect(formToRule(ruleToForm(rule))).toEqual(rule);
    expect(formToRule({ ...valid, map: 'customers', threshold: ' 2 ' })).toMatchObject({ map: 'customers', threshold: 2, windowMinutes: 5 });
  });
});

describe('labels', () => {
  it('describes the condition and the action taken', () => {
    expect(ruleCondition({ threshold: 1, windowMinutes: 5 })).toBe('1 error in 5 minutes');
    expect(ruleCondition({ threshold: 3, windowMinutes: 1 })).toBe('3 errors in 1 minute');
    expect(alertActionTaken('pause', 'customers')).toBe('customers was paused.');
    expect(alertActionTaken('stop', 'customers')).toBe('customers was stopped.');
    expect(alertActionTaken('none', 'customers')).toMatch(/No action/);
  });
});

describe('rule titles', () => {
  const maps = [{ name: 'customers', title: 'Customers V3' }];
  const rule: AlertRuleView = { id: 1, map: 'customers', class: '503', threshold: 3, windowMinutes: 10, action: 'pause', enabled: true };
  it('names the map by its title, every map as "All maps", and an unknown map by its name', () => {
    expect(ruleMapTitle('customers', maps)).toBe('Customers V3');
    expect(ruleMapTitle(null, maps)).toBe('All maps');
    expect(ruleMapTitle('vendors', maps)).toBe('vendors');
    expect(ruleMapTitle('customers', [])).toBe('customers');
  });
  it('says what a rule watches, and the whole rule in one line', () => {
    expect(ruleSubject(rule, maps)).toBe('503 Unavailable on Customers V3');
    expect(ruleSubject({ ...rule, map: null }, maps)).toBe('503 Unavailable on All maps');
    expect(ruleSummary(rule, maps)).toBe('503 Unavailable on Customers V3: 3 errors in 10 minutes, pause the map');
    expect(ruleSummary({ ...rule, action: 'none', threshold: 1 }, maps)).toBe(
      '503 Unavailable on Customers V3: 1 error in 10 minutes, notify only',
    );
  });
});

describe('upsertRule and firedAlerts', () => {
  const rule = (id: number, threshold = 1): AlertRuleView => ({
    id,
    map: null,
    class: '400',
    threshold,
    windowMinutes: 5,
    action: 'none',
    enabled: true,
  });
  it('replaces by id and keeps id order', () => {
    expect(upsertRule([rule(1), rule(3)], rule(2)).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(upsertRule([rule(1), rule(2)], rule(1, 9))).toEqual([rule(1, 9), rule(2)]);
  });
  it('keeps alert lines only, newest first', () => {
    const entry = (id: number, status: string): ActivityEntry => ({
      id,
      at: '2024-01-01T00:00:00Z',
      map: 'customers',
      kind: 'lifecycle',
      direction: null,
      key: null,
      operation: null,
      status,
      message: `m${id}`,
      latencyMs: null,
      payload: null,
      errorClass: null,
    });
    expect(firedAlerts([entry(1, 'alert'), entry(2, 'ok'), entry(3, 'alert')]).map((e) => e.id)).toEqual([3, 1]);
  });
});
