import { describe, expect, it } from 'vitest';
import type { ScenarioRun } from '../bindings/ScenarioRun';
import { formatCount } from './format';
import {
  DEFAULT_DRAFT,
  agreementRows,
  agrees,
  hasErrors,
  isUnfinished,
  kindColor,
  optionsFromDraft,
  optionsSummary,
  parseCompanies,
  progressCount,
  resetStep,
  runOutcome,
  validateDraft,
} from './scenarios';

const withData = { financeOperations: 'new with data', dataverse: 'existing' };
const empty = { financeOperations: 'new', dataverse: 'new' };

function run(partial: Partial<ScenarioRun>): ScenarioRun {
  return {
    scenario: { id: 'new-new', title: 'T', financeOperations: 'new', dataverse: 'new', description: '' },
    options: {
      rows: 200,
      existingRows: 40,
      companies: ['DAT'],
      maps: ['customers'],
      master: 'financeOperations',
      environments: null,
      until: null,
    },
    status: 'pending',
    steps: [],
    startedAt: null,
    finishedAt: null,
    bootstrap: null,
    agreement: [],
    environments: null,
    ...partial,
  };
}

describe('parseCompanies', () => {
  it('splits, upper-cases and removes duplicates', () => {
    expect(parseCompanies(' dat, usmf ;DAT  ')).toEqual(['DAT', 'USMF']);
    expect(parseCompanies('  ')).toEqual([]);
  });
});

describe('validateDraft', () => {
  it('accepts the defaults', () => {
    expect(hasErrors(validateDraft(DEFAULT_DRAFT, withData))).toBe(false);
  });
  it('needs a legal entity with a valid code', () => {
    expect(validateDraft({ ...DEFAULT_DRAFT, companies: '' }, empty).companies).toMatch(/at least one/);
    expect(validateDraft({ ...DEFAULT_DRAFT, companies: 'DAT, TOOLONG' }, empty).companies).toMatch(/'TOOLONG' is not/);
  });
  it('checks row counts only where the scenario uses them', () => {
    const draft = { ...DEFAULT_DRAFT, rows: '0', existingRows: 'x' };
    expect(validateDraft(draft, empty)).toEqual({});
    const errors = validateDraft(draft, withData);
    expect(errors.rows).toMatch(/at least 1/);
    expect(errors.existingRows).toMatch(/whole number/);
    expect(validateDraft({ ...DEFAULT_DRAFT, rows: '100001' }, withData).rows).toMatch(/at most/);
  });
});

describe('optionsFromDraft', () => {
  it('sends counts the scenario uses', () => {
    expect(optionsFromDraft({ ...DEFAULT_DRAFT, rows: '40', existingRows: '10', companies: 'dat' }, withData)).toEqual({
      companies: ['DAT'],
      maps: ['customers'],
      master: 'financeOperations',
      rows: 40,
      existingRows: 10,
    });
    expect(optionsFromDraft(DEFAULT_DRAFT, empty)).not.toHaveProperty('rows');
  });
});

describe('runs', () => {
  const step = (id: string, status: ScenarioRun['status']) => ({ id, title: id, detail: '', status, message: null });
  it('finds a pending reset step', () => {
    expect(resetStep(run({ steps: [step('reset', 'pending'), step('link', 'pending')] }))?.id).toBe('reset');
    expect(resetStep(run({ steps: [step('link', 'pending')] }))).toBeNull();
    expect(resetStep(null)).toBeNull();
  });
  it('tells unfinished runs', () => {
    expect(isUnfinished(run({}))).toBe(false);
    expect(isUnfinished(run({ startedAt: 'x', status: 'failed' }))).toBe(true);
    expect(isUnfinished(run({ startedAt: 'x', status: 'done' }))).toBe(false);
  });
  it('counts finished steps', () => {
    expect(progressCount(run({ steps: [step('a', 'done'), step('b', 'skipped'), step('c', 'running')] }))).toEqual({
      finished: 2,
      total: 3,
    });
  });
  it('agrees only without differences', () => {
    expect(agrees({ missingInDataverse: 0, missingInFinanceOperations: 0, differing: 0 })).toBe(true);
    expect(agrees({ missingInDataverse: 0, missingInFinanceOperations: 0, differing: 1 })).toBe(false);
  });
});

describe('run display', () => {
  it('colours environment kinds', () => {
    expect(kindColor('new')).toBe('brand');
    expect(kindColor('new with data')).toBe('success');
    expect(kindColor('existing')).toBe('informative');
  });
  it('tells which result a run shows', () => {
    expect(runOutcome(run({ status: 'done', startedAt: 'x' }))).toBe('done');
    expect(runOutcome(run({ status: 'failed', startedAt: 'x' }))).toBe('failed');
    expect(runOutcome(run({ status: 'pending', startedAt: 'x' }))).toBe('unfinished');
    expect(runOutcome(run({ status: 'running', startedAt: 'x' }))).toBeNull();
    expect(runOutcome(run({ status: 'pending' }))).toBeNull();
  });
  it('summarises the options the scenario uses', () => {
    expect(optionsSummary(run({}))).toEqual([
      ['Scenario', 'T'],
      ['Legal entities', 'DAT'],
      ['Master', 'Finance and operations'],
    ]);
    const base = run({});
    const withBoth = run({ scenario: { ...base.scenario, ...withData }, options: { ...base.options, rows: 1500, master: 'dataverse' } });
    expect(optionsSummary(withBoth).map(([label]) => label)).toEqual([
      'Scenario',
      'Legal entities',
      'Master',
      'Customers to generate',
      'Existing accounts',
    ]);
    expect(optionsSummary(withBoth)[2][1]).toBe('Dataverse');
    expect(optionsSummary(withBoth)[3][1]).toBe(formatCount(1500));
  });
  it('marks the agreement counts that are problems', () => {
    const rows = agreementRows({
      map: 'customers',
      financeOperationsRows: 3,
      dataverseRows: 2,
      matched: 2,
      missingInDataverse: 1,
      missingInFinanceOperations: 0,
      differing: 0,
      withoutCompany: 0,
      examples: [],
    });
    expect(rows).toHaveLength(7);
    expect(rows.filter(([, , problem]) => problem).map(([label]) => label)).toEqual([
      'Missing in Dataverse',
      'Missing in finance and operations',
      'Differing',
      'Dataverse rows without a company',
    ]);
    expect(rows[3]).toEqual(['Missing in Dataverse', 1, true]);
  });
});
