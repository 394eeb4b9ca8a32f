import { useCallback, useEffect, useReducer, type Dispatch } from 'react';
import { backend, toApiError } from '../../backend';
import type { ScenarioView } from '../../bindings/ScenarioView';
import { hasErrors, optionsFromDraft, resetStep, validateDraft, type OptionsDraft } from '../../lib/scenarios';
import { INITIAL_WIZARD, RUN_STEP, wizardReducer, type WizardAction, type WizardStep } from '../../lib/setupWizard';

/** Events can be missed (a reconnecting event stream): look at the run this often while it runs. */
const RUN_POLL_MS = 3_000;

/**
 * The setup wizard's state and what it does: loads the scenarios and the current run, follows
 * the run's progress (events, and polling while it runs), plans, starts and resumes.
 */
export function useSetupWizard() {
  const [state, dispatch] = useReducer(wizardReducer, INITIAL_WIZARD);
  const { step, selected, draft, plan, run } = state;

  const load = useCallback(() => {
    return Promise.all([backend.scenarios(), backend.scenarioRun()]).then(
      ([scenarios, current]) => dispatch({ type: 'loaded', scenarios, current }),
      (e: unknown) => dispatch({ type: 'loadFailed', error: toApiError(e) }),
    );
  }, []);

  useEffect(() => {
    const unsubscribe = backend.subscribe((event) => {
      if (event.type === 'scenarioChanged') dispatch({ type: 'runChanged', run: event.run });
    });
    void load();
    return unsubscribe;
  }, [load]);

  usePollRun(run?.status === 'running' && step === RUN_STEP, dispatch);

  const legalEntitiesRead = useCallback(
    (financeOperationsId: number, codes: string[]) => dispatch({ type: 'legalEntitiesRead', financeOperationsId, codes }),
    [],
  );

  const errors = selected ? validateDraft(draft, selected) : {};
  const invalid = hasErrors(errors);

  const review = async () => {
    if (!selected || invalid) return;
    dispatch({ type: 'planning' });
    try {
      const value = await backend.scenarioPlan(selected.id, optionsFromDraft(draft, selected));
      dispatch({ type: 'planned', plan: value });
    } catch (e) {
      dispatch({ type: 'planFailed', error: toApiError(e) });
    }
  };

  const start = async () => {
    if (!selected || !plan) return;
    dispatch({ type: 'starting' });
    try {
      const value = await backend.startScenario(selected.id, optionsFromDraft(draft, selected));
      dispatch({ type: 'started', run: value });
    } catch (e) {
      dispatch({ type: 'startFailed', error: toApiError(e) });
    }
  };

  /** Runs an unfinished run again: it resumes at its first step not done. */
  const resume = async () => {
    if (!run) return;
    const previous = run;
    dispatch({ type: 'resuming' });
    try {
      await backend.startScenario(previous.scenario.id, previous.options);
      dispatch({ type: 'resumed' });
    } catch (e) {
      dispatch({ type: 'startFailed', error: toApiError(e), previous });
    }
  };

  return {
    ...state,
    errors,
    invalid,
    /** The plan's reset step, when Duet is linked already: starting needs a confirmation. */
    reset: resetStep(plan),
    reload: () => void load(),
    goTo: (to: WizardStep) => dispatch({ type: 'goTo', step: to }),
    choose: (scenario: ScenarioView) => dispatch({ type: 'choose', scenario }),
    editDraft: (change: Partial<OptionsDraft>) => dispatch({ type: 'editDraft', change }),
    legalEntitiesRead,
    confirmReset: (confirmed: boolean) => dispatch({ type: 'confirmReset', confirmed }),
    review: () => void review(),
    start: () => void start(),
    resume: () => void resume(),
    startOver: () => dispatch({ type: 'startOver' }),
    viewLast: () => dispatch({ type: 'viewLast' }),
  };
}

export type SetupWizard = ReturnType<typeof useSetupWizard>;

/** While `active`, reads the run every few seconds, in case progress events were missed. */
function usePollRun(active: boolean, dispatch: Dispatch<WizardAction>) {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      backend.scenarioRun().then(
        (value) => {
          if (value) dispatch({ type: 'runPolled', run: value });
        },
        () => {},
      );
    }, RUN_POLL_MS);
    return () => clearInterval(timer);
  }, [active, dispatch]);
}
