import { describe, expect, it } from 'vitest';
import type { ScenarioRun } from '../bindings/ScenarioRun';
import {
  DEFAULT_DRAFT,
  agrees,
  hasErrors,
  isUnfinished,
  optionsFromDraft,
  parseCompanies,
  progressCount,
  resetStep,
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
