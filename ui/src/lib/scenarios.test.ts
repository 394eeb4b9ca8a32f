import { describe, expect, it } from 'vitest';
import type { ScenarioRun } from '../bindings/ScenarioRun';
import { formatCount } from './format';
import {
  DEFAULT_DRAFT,
  agreementRows,
  agrees,
  companiesProblem,
  companyCount,
  hasErrors,
  isUnfinished,
  kindColor,
  optionsFromDraft,
  optionsSummary,
  parseCompanies,
  progressCount,
  resetStep,
  runOutcome,
  togglePicked,
  validateDraft,
  withLegalEntities,
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
      choices: [],
      master: 'financeOperations',
      environments: null,
      until: null,
    },
    status: 'pending',
    steps: [],
    startedAt: null,
    finishedAt: null,
    bootstraps: [],
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
  it('checks typed legal entity codes as the backend does', () => {
    expect(validateDraft({ ...DEFAULT_DRAFT, companies: '' }, empty).companies).toMatch(/at least one/);
    expect(validateDraft({ ...DEFAULT_DRAFT, companies: 'DAT, TOOLONG' }, empty).companies).toMatch(/'TOOLONG' is not/);
    expect(validateDraft({ ...DEFAULT_DRAFT, companies: 'DA' }, empty).companies).toMatch(/3 or 4 letters or digits/);
    expect(validateDraft({ ...DEFAULT_DRAFT, companies: 'US-1' }, empty).companies).toMatch(/'US-1' is not/);
    expect(validateDraft({ ...DEFAULT_DRAFT, companies: 'usmf, d01' }, empty).companies).toBeUndefined();
    const many = Array.from({ length: 41 }, (_, i) => `C${String(i).padStart(2, '0')}`).join(',');
    expect(validateDraft({ ...DEFAULT_DRAFT, companies: many }, empty).companies).toBe(
      '41 legal entities are chosen; a link syncs at most 40.',
    );
  });
  it('checks row counts only where the sandbox uses them', () => {
    const draft = { ...DEFAULT_DRAFT, rows: '0', existingRows: 'x' };
    expect(validateDraft(draft, empty)).toEqual({});
    const errors = validateDraft(draft, withData);
    expect(errors.rows).toMatch(/at least 1/);
    expect(errors.existingRows).toMatch(/whole number/);
    expect(validateDraft({ ...DEFAULT_DRAFT, rows: '100001' }, withData).rows).toMatch(/at most/);
    expect(validateDraft({ ...draft, environmentSource: 'added', financeOperationsId: 1, dataverseId: 2, picked: ['DAT'] }, withData)).toEqual({});
  });
  it('needs both added environments and a ticked legal entity', () => {
    const added = { ...DEFAULT_DRAFT, environmentSource: 'added' as const };
    const errors = validateDraft(added, empty);
    expect(errors.environments).toBe('Choose a finance and operations and a Dataverse environment.');
    expect(errors.companies).toBe('Tick at least one legal entity.');
    expect(validateDraft({ ...added, financeOperationsId: 1, dataverseId: 2, picked: ['USMF'] }, empty)).toEqual({});
  });
  it('needs a map', () => {
    expect(validateDraft({ ...DEFAULT_DRAFT, maps: [] }, empty).maps).toBe('Choose at least one map.');
  });
});

describe('legal entities', () => {
  it('ticks every legal entity of a newly chosen environment, and keeps ticks on a second read', () => {
    const first = withLegalEntities(DEFAULT_DRAFT, 7, ['DAT', 'USMF', 'GBSI']);
    expect(first.picked).toEqual(['DAT', 'USMF', 'GBSI']);
    expect(first.pickedFor).toBe(7);
    const edited = { ...first, picked: togglePicked(first.picked, ['DAT', 'USMF', 'GBSI'], 'USMF', false) };
    expect(edited.picked).toEqual(['DAT', 'GBSI']);
    expect(withLegalEntities(edited, 7, ['DAT', 'USMF']).picked).toEqual(['DAT']);
    expect(withLegalEntities(edited, 8, ['FRRT']).picked).toEqual(['FRRT']);
  });
  it('keeps the order of the list when ticking', () => {
    expect(togglePicked(['GBSI'], ['DAT', 'USMF', 'GBSI'], 'DAT', true)).toEqual(['DAT', 'GBSI']);
  });
  it('counts against the limit of 40', () => {
    expect(companyCount(3)).toBe('3 of 40');
    expect(companiesProblem(['DAT'])).toBeUndefined();
  });
});

describe('optionsFromDraft', () => {
  it('sends counts the scenario uses, the maps and the choices', () => {
    const choices = [{ map: 'payment-terms', initialSync: false, master: 'dataverse' as const }];
    expect(
      optionsFromDraft({ ...DEFAULT_DRAFT, rows: '40', existingRows: '10', companies: 'dat', maps: ['customers', 'payment-terms'], choices }, withData),
    ).toEqual({
      companies: ['DAT'],
      maps: ['customers', 'payment-terms'],
      choices,
      master: 'financeOperations',
      rows: 40,
      existingRows: 10,
    });
    expect(optionsFromDraft(DEFAULT_DRAFT, empty)).not.toHaveProperty('rows');
    expect(optionsFromDraft(DEFAULT_DRAFT, empty)).not.toHaveProperty('environments');
  });
  it('sends the added environments and the ticked legal entities, no generated rows', () => {
    const draft = { ...DEFAULT_DRAFT, environmentSource: 'added' as const, financeOperationsId: 3, dataverseId: 4, picked: ['DAT', 'USMF'] };
    expect(optionsFromDraft(draft, withData)).toEqual({
      companies: ['DAT', 'USMF'],
      maps: ['customers'],
      choices: [],
      master: 'financeOperations',
      environments: [3, 4],
    });
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
      ['Environments', 'Sandbox (provisioned fresh)'],
      ['Legal entities', 'DAT'],
      ['Maps', 'customers'],
      ['Master', 'Finance and operations'],
    ]);
    const base = run({});
    const withBoth = run({ scenario: { ...base.scenario, ...withData }, options: { ...base.options, rows: 1500, master: 'dataverse' } });
    expect(optionsSummary(withBoth).map(([label]) => label)).toEqual([
      'Scenario',
      'Environments',
      'Legal entities',
      'Maps',
      'Master',
      'Customers to generate',
      'Existing accounts',
    ]);
    expect(optionsSummary(withBoth)[4][1]).toBe('Dataverse');
    expect(optionsSummary(withBoth)[5][1]).toBe(formatCount(1500));
  });
  it('summarises added environments and the resolved maps', () => {
    const base = run({});
    const added = run({
      scenario: { ...base.scenario, ...withData },
      options: {
        ...base.options,
        environments: [1, 2],
        choices: [
          { map: 'customer-groups', initialSync: true, master: 'financeOperations' },
          { map: 'customers', initialSync: false, master: 'financeOperations' },
        ],
      },
    });
    const summary = Object.fromEntries(optionsSummary(added));
    expect(summary.Environments).toBe('Environments already added');
    expect(summary.Maps).toBe('customer-groups, customers');
    const named = Object.fromEntries(
      optionsSummary(added, [
        { id: 2, name: 'Contoso CRM' },
        { id: 1, name: 'Contoso F&O' },
      ]),
    );
    expect(named.Environments).toBe('Contoso F&O ↔ Contoso CRM');
    expect(summary).not.toHaveProperty('Customers to generate');
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
