import { describe, expect, it } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import type { ScenarioRun } from '../bindings/ScenarioRun';
import type { ScenarioView } from '../bindings/ScenarioView';
import { DEFAULT_DRAFT } from './scenarios';
import {
  INITIAL_WIZARD,
  actionErrorTitle,
  stepState,
  wizardReducer,
  type WizardAction,
  type WizardState,
} from './setupWizard';

const scenario = (id: string): ScenarioView => ({
  id,
  title: `Scenario ${id}`,
  financeOperations: 'new',
  dataverse: 'new',
  description: '',
});

function run(partial: Partial<ScenarioRun> = {}): ScenarioRun {
  return {
    scenario: scenario('new-new'),
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

const error: ApiError = { code: 'bad', message: 'Bad.' };

function apply(state: WizardState, ...actions: WizardAction[]): WizardState {
  return actions.reduce(wizardReducer, state);
}

const listed = [scenario('new-new'), scenario('existing-existing')];
const ready = apply(INITIAL_WIZARD, { type: 'loaded', scenarios: listed, current: null });

describe('stepper', () => {
  it('shows steps before the current one as done', () => {
    expect([0, 1, 2, 3].map((i) => stepState(i, 2))).toEqual(['done', 'done', 'current', 'todo']);
  });
  it('titles a failed action by the step it failed at', () => {
    expect(actionErrorTitle(1)).toBe('Cannot plan the setup');
    expect(actionErrorTitle(2)).toBe('Cannot start the setup');
    expect(actionErrorTitle(3)).toBe('Cannot resume the setup');
  });
});

describe('loading', () => {
  it('starts at the first step with the listed scenarios', () => {
    expect(ready).toMatchObject({ scenarios: listed, loading: false, loadError: null, step: 0, run: null, lastRun: null });
  });
  it('opens an unfinished run at the progress step, with the listed scenario selected', () => {
    const current = run({ scenario: { ...scenario('existing-existing'), title: 'old' }, status: 'failed', startedAt: 'x' });
    const state = apply(INITIAL_WIZARD, { type: 'loaded', scenarios: listed, current });
    expect(state).toMatchObject({ step: 3, run: current, selected: listed[1], lastRun: null });
  });
  it('offers a finished run as the last one', () => {
    const current = run({ status: 'done', startedAt: 'x' });
    expect(apply(INITIAL_WIZARD, { type: 'loaded', scenarios: listed, current })).toMatchObject({ step: 0, run: null, lastRun: current });
  });
  it('keeps a failed load and clears it once loaded', () => {
    const failed = apply(INITIAL_WIZARD, { type: 'loadFailed', error });
    expect(failed).toMatchObject({ loading: false, loadError: error });
    expect(apply(failed, { type: 'loaded', scenarios: listed, current: null }).loadError).toBeNull();
  });
});

describe('events', () => {
  it('opens the progress step when a run starts elsewhere', () => {
    const running = run({ scenario: listed[1], status: 'running', startedAt: 'x' });
    expect(apply(ready, { type: 'goTo', step: 1 }, { type: 'runChanged', run: running })).toMatchObject({
      step: 3,
      run: running,
      selected: listed[1],
    });
  });
  it('updates the run without moving when it is not running', () => {
    const done = run({ status: 'done', startedAt: 'x' });
    expect(apply(ready, { type: 'goTo', step: 1 }, { type: 'runChanged', run: done })).toMatchObject({ step: 1, run: done });
  });
  it('takes a polled run as it is', () => {
    const running = run({ status: 'running' });
    expect(apply(ready, { type: 'runPolled', run: running })).toMatchObject({ step: 0, run: running });
  });
});

describe('planning and starting', () => {
  const chosen = apply(ready, { type: 'choose', scenario: listed[0] }, { type: 'goTo', step: 1 });
  const plan = run({ steps: [{ id: 'reset', title: 'Reset', detail: '', status: 'pending', message: null }] });
  const planned = apply(chosen, { type: 'planning' }, { type: 'planned', plan }, { type: 'confirmReset', confirmed: true });

  it('edits the draft field by field', () => {
    expect(apply(chosen, { type: 'editDraft', change: { rows: '5' } }).draft).toEqual({ ...DEFAULT_DRAFT, rows: '5' });
  });
  it('ticks every legal entity of the chosen environment when they are read, and keeps later edits', () => {
    const added = apply(chosen, { type: 'editDraft', change: { environmentSource: 'added', financeOperationsId: 4, dataverseId: 5 } });
    const read = apply(added, { type: 'legalEntitiesRead', financeOperationsId: 4, codes: ['DAT', 'USMF'] });
    expect(read.draft).toMatchObject({ picked: ['DAT', 'USMF'], pickedFor: 4 });
    const edited = apply(read, { type: 'editDraft', change: { picked: ['USMF'] } }, { type: 'legalEntitiesRead', financeOperationsId: 4, codes: ['DAT', 'USMF'] });
    expect(edited.draft.picked).toEqual(['USMF']);
    // A late answer for an environment no longer chosen is ignored.
    expect(apply(read, { type: 'legalEntitiesRead', financeOperationsId: 9, codes: ['X1'] }).draft).toBe(read.draft);
  });
  it('clears the plan and the error when another scenario is chosen', () => {
    const state = apply(planned, { type: 'planFailed', error }, { type: 'choose', scenario: listed[1] });
    expect(state).toMatchObject({ selected: listed[1], plan: null, actionError: null });
  });
  it('shows the plan unconfirmed at the review step', () => {
    expect(apply(chosen, { type: 'planning' })).toMatchObject({ planning: true, actionError: null });
    expect(apply(chosen, { type: 'planning' }, { type: 'planned', plan })).toMatchObject({
      planning: false,
      plan,
      step: 2,
      resetConfirmed: false,
    });
  });
  it('stays at the options when planning fails', () => {
    expect(apply(chosen, { type: 'planning' }, { type: 'planFailed', error })).toMatchObject({
      planning: false,
      actionError: error,
      step: 1,
    });
  });
  it('shows a started run as running and forgets the last one', () => {
    const withLast = { ...planned, lastRun: run({ status: 'done' }) };
    const state = apply(withLast, { type: 'starting' }, { type: 'started', run: plan });
    expect(state).toMatchObject({ starting: false, step: 3, lastRun: null, run: { ...plan, status: 'running' } });
  });
  it('keeps progress that arrived before the start answered', () => {
    const progress = run({ status: 'running', startedAt: 'x' });
    const state = apply(planned, { type: 'starting' }, { type: 'runChanged', run: progress }, { type: 'started', run: plan });
    expect(state.run).toBe(progress);
  });
  it('stays at the plan when starting fails', () => {
    expect(apply(planned, { type: 'starting' }, { type: 'startFailed', error })).toMatchObject({
      starting: false,
      actionError: error,
      step: 2,
      run: null,
    });
  });
});

describe('resuming and starting over', () => {
  const stopped = apply(ready, { type: 'loaded', scenarios: listed, current: run({ status: 'failed', startedAt: 'x' }) });

  it('shows a resumed run as running', () => {
    const state = apply(stopped, { type: 'resuming' });
    expect(state).toMatchObject({ starting: true, actionError: null, run: { status: 'running' } });
    expect(apply(state, { type: 'resumed' }).starting).toBe(false);
  });
  it('shows the run as it was when resuming fails', () => {
    const state = apply(stopped, { type: 'resuming' }, { type: 'startFailed', error, previous: stopped.run! });
    expect(state).toMatchObject({ starting: false, actionError: error, run: stopped.run });
  });
  it('keeps a finished run as the last one on a new setup', () => {
    const done = run({ status: 'done', startedAt: 'x' });
    const state = apply(stopped, { type: 'runChanged', run: done }, { type: 'startOver' });
    expect(state).toMatchObject({ step: 0, run: null, plan: null, lastRun: done, resetConfirmed: false });
    expect(apply(stopped, { type: 'startOver' })).toMatchObject({ step: 0, run: null, lastRun: null });
  });
  it('shows the last run again', () => {
    const done = run({ scenario: listed[1], status: 'done', startedAt: 'x' });
    const state = apply(ready, { type: 'loaded', scenarios: listed, current: done }, { type: 'viewLast' });
    expect(state).toMatchObject({ step: 3, run: done, selected: listed[1] });
    expect(apply(ready, { type: 'viewLast' })).toBe(ready);
  });
});
