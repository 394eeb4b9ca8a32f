import { Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { ErrorBar } from '../components/ErrorBar';
import { PageHeader } from '../components/PageHeader';
import { OptionsStep } from '../components/setup/OptionsStep';
import { PlanReview } from '../components/setup/PlanReview';
import { RunView } from '../components/setup/RunView';
import { ScenarioChoice } from '../components/setup/ScenarioChoice';
import { useSetupWizard, type SetupWizard } from '../components/setup/useSetupWizard';
import { WizardStepper } from '../components/setup/WizardStepper';
import { actionErrorTitle } from '../lib/setupWizard';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '1400px' },
});

/** The setup wizard: choose a scenario, set its options, review the plan, then run it. */
export function SetupPage() {
  const styles = useStyles();
  const wizard = useSetupWizard();
  const { step, loading, loadError, actionError } = wizard;
  return (
    <div className={styles.page} data-testid="page-setup">
      <PageHeader
        title="Setup"
        description="Link finance and operations with Dataverse by following one of the six documented setup scenarios."
      />
      <WizardStepper current={step} />
      {loadError ? <ErrorBar title="Cannot load the setup scenarios" error={loadError} onRetry={wizard.reload} /> : null}
      {actionError ? (
        <div data-testid="setup-error">
          <ErrorBar title={actionErrorTitle(step)} error={actionError} />
        </div>
      ) : null}
      {loading ? (
        <Spinner label="Loading scenarios…" data-testid="setup-loading" />
      ) : loadError ? null : (
        <WizardBody wizard={wizard} />
      )}
    </div>
  );
}

/** The current step's content. */
function WizardBody({ wizard }: { wizard: SetupWizard }) {
  const { step, selected, plan, run } = wizard;
  if (step === 0) {
    return (
      <ScenarioChoice
        scenarios={wizard.scenarios}
        selected={selected}
        lastRun={wizard.lastRun}
        onChoose={wizard.choose}
        onViewLast={wizard.viewLast}
        onNext={() => wizard.goTo(1)}
      />
    );
  }
  if (step === 1 && selected) {
    return (
      <OptionsStep
        scenario={selected}
        draft={wizard.draft}
        errors={wizard.errors}
        invalid={wizard.invalid}
        planning={wizard.planning}
        onChange={wizard.editDraft}
        onLegalEntities={wizard.legalEntitiesRead}
        onBack={() => wizard.goTo(0)}
        onReview={wizard.review}
      />
    );
  }
  if (step === 2 && selected && plan) {
    return (
      <PlanReview
        plan={plan}
        reset={wizard.reset}
        resetConfirmed={wizard.resetConfirmed}
        starting={wizard.starting}
        onConfirmReset={wizard.confirmReset}
        onBack={() => wizard.goTo(1)}
        onStart={wizard.start}
      />
    );
  }
  if (step === 3) {
    return run ? (
      <RunView run={run} busy={wizard.starting} onResume={wizard.resume} onStartOver={wizard.startOver} />
    ) : (
      <Spinner label="Starting the setup…" data-testid="run-starting" />
    );
  }
  return null;
}
