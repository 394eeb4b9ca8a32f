import type { ApiError } from '../bindings/ApiError';
import type { ScenarioRun } from '../bindings/ScenarioRun';
import type { ScenarioView } from '../bindings/ScenarioView';
import { DEFAULT_DRAFT, isUnfinished, withLegalEntities, type OptionsDraft } from './scenarios';

/** The wizard's steps, in order; a step's index is its `WizardStep`. */
export const WIZARD_STEPS = ['Scenario', 'Options', 'Review plan', 'Run'] as const;
export type WizardStep = 0 | 1 | 2 | 3;
/** The progress step: shows the run that is going on, or the one being looked at. */
export const RUN_STEP: WizardStep = 3;

/** How the stepper shows a step while the wizard is at `current`. */
export function stepState(index: number, current: WizardStep): 'done' | 'current' | 'todo' {
  return index < current ? 'done' : index === current ? 'current' : 'todo';
}

/** The title of a failed plan, start or resume, by the step it failed at. */
export function actionErrorTitle(step: WizardStep): string {
  return step === RUN_STEP ? 'Cannot resume the setup' : step === 2 ? 'Cannot start the setup' : 'Cannot plan the setup';
}

export interface WizardState {
  scenarios: ScenarioView[];
  loading: boolean;
  loadError: ApiError | null;
  step: WizardStep;
  selected: ScenarioView | null;
  draft: OptionsDraft;
  plan: ScenarioRun | null;
  planning: boolean;
  /** A failed plan, start or resume. */
  actionError: ApiError | null;
  resetConfirmed: boolean;
  /** Starting or resuming. */
  starting: boolean;
  /** The run the progress step shows. */
  run: ScenarioRun | null;
  /** The last run that finished, offered on the first step. */
  lastRun: ScenarioRun | null;
}

export const INITIAL_WIZARD: WizardState = {
  scenarios: [],
  loading: true,
  loadError: null,
  step: 0,
  selected: null,
  draft: DEFAULT_DRAFT,
  plan: null,
  planning: false,
  actionError: null,
  resetConfirmed: false,
  starting: false,
  run: null,
  lastRun: null,
};

export type WizardAction =
  | { type: 'loaded'; scenarios: ScenarioView[]; current: ScenarioRun | null }
  | { type: 'loadFailed'; error: ApiError }
  /** A `scenarioChanged` event. */
  | { type: 'runChanged'; run: ScenarioRun }
  /** The run as read while the progress step polls it. */
  | { type: 'runPolled'; run: ScenarioRun }
  | { type: 'choose'; scenario: ScenarioView }
  | { type: 'goTo'; step: WizardStep }
  | { type: 'editDraft'; change: Partial<OptionsDraft> }
  /** The legal entities of a finance and operations environment were read: a new one's are all ticked. */
  | { type: 'legalEntitiesRead'; financeOperationsId: number; codes: string[] }
  | { type: 'confirmReset'; confirmed: boolean }
  | { type: 'planning' }
  | { type: 'planned'; plan: ScenarioRun }
  | { type: 'starting' }
  | { type: 'started'; run: ScenarioRun }
  | { type: 'resuming' }
  | { type: 'resumed' }
  | { type: 'planFailed'; error: ApiError }
  /** Starting or resuming failed; a failed resume shows the run as it was before again. */
  | { type: 'startFailed'; error: ApiError; previous?: ScenarioRun }
  | { type: 'startOver' }
  | { type: 'viewLast' };

/** The wizard's state after one action: every change the Setup page makes goes through here. */
export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
  switch (action.type) {
    case 'loaded': {
      const { scenarios, current } = action;
      const next = { ...state, scenarios, loadError: null, loading: false };
      // A run in progress, or one that stopped part way: show where it is.
      if (current && isUnfinished(current)) {
        const selected = scenarios.find((s) => s.id === current.scenario.id) ?? current.scenario;
        return { ...next, run: current, selected, step: RUN_STEP };
      }
      return current && current.status === 'done' ? { ...next, lastRun: current } : next;
    }
    case 'loadFailed':
      return { ...state, loadError: action.error, loading: false };
    case 'runChanged':
      // A run started elsewhere (another window, the command line) opens the progress step.
      if (action.run.status === 'running' && state.step !== RUN_STEP) {
        return { ...state, run: action.run, selected: action.run.scenario, step: RUN_STEP };
      }
      return { ...state, run: action.run };
    case 'runPolled':
      return { ...state, run: action.run };
    case 'choose':
      return { ...state, selected: action.scenario, plan: null, actionError: null };
    case 'goTo':
      return { ...state, step: action.step };
    case 'editDraft':
      return { ...state, draft: { ...state.draft, ...action.change } };
    case 'legalEntitiesRead':
      // An answer for an environment no longer chosen changes nothing.
      if (state.draft.financeOperationsId !== action.financeOperationsId) return state;
      return { ...state, draft: withLegalEntities(state.draft, action.financeOperationsId, action.codes) };
    case 'confirmReset':
      return { ...state, resetConfirmed: action.confirmed };
    case 'planning':
      return { ...state, planning: true, actionError: null };
    case 'planned':
      return { ...state, planning: false, plan: action.plan, resetConfirmed: false, step: 2 };
    case 'starting':
      return { ...state, starting: true, actionError: null, run: null };
    case 'started':
      // Progress events may have arrived before the answer; they are newer than the plan.
      return {
        ...state,
        starting: false,
        run: state.run ?? { ...action.run, status: 'running' },
        lastRun: null,
        step: RUN_STEP,
      };
    case 'resuming':
      return { ...state, starting: true, actionError: null, run: state.run && { ...state.run, status: 'running' } };
    case 'resumed':
      return { ...state, starting: false };
    case 'planFailed':
      return { ...state, planning: false, actionError: action.error };
    case 'startFailed':
      return { ...state, starting: false, actionError: action.error, run: action.previous ?? state.run };
    case 'startOver':
      return {
        ...state,
        step: 0,
        plan: null,
        actionError: null,
        resetConfirmed: false,
        lastRun: state.run?.status === 'done' ? state.run : state.lastRun,
        run: null,
      };
    case 'viewLast':
      if (!state.lastRun) return state;
      return { ...state, run: state.lastRun, selected: state.lastRun.scenario, step: RUN_STEP };
  }
}
