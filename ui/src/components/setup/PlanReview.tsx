import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Checkbox,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle1,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Play20Filled } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { backend } from '../../backend';
import type { EnvironmentView } from '../../bindings/EnvironmentView';
import type { ScenarioRun } from '../../bindings/ScenarioRun';
import type { ScenarioStep } from '../../bindings/ScenarioStep';
import { optionsSummary } from '../../lib/scenarios';
import { useWizardStyles } from './styles';
import { WizardFooter } from './WizardFooter';

const useStyles = makeStyles({
  summary: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))',
    gap: tokens.spacingHorizontalL,
    margin: 0,
  },
  summaryItem: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, margin: 0 },
  dt: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  dd: { margin: 0, fontWeight: tokens.fontWeightSemibold },
  stepNumber: {
    width: '24px',
    height: '24px',
    borderRadius: tokens.borderRadiusCircular,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground2,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
  },
});

/**
 * The third step: what the setup will do, in order, before anything changes. When Duet is
 * linked already the plan starts with a reset, which has to be confirmed before Start.
 */
export function PlanReview({
  plan,
  reset,
  resetConfirmed,
  starting,
  onConfirmReset,
  onBack,
  onStart,
}: {
  plan: ScenarioRun;
  reset: ScenarioStep | null;
  resetConfirmed: boolean;
  starting: boolean;
  onConfirmReset: (confirmed: boolean) => void;
  onBack: () => void;
  onStart: () => void;
}) {
  const shared = useWizardStyles();
  return (
    <>
      <Card className={shared.section} data-testid="plan-card">
        <CardHeader
          header={<Subtitle1>Review the plan</Subtitle1>}
          description={<Caption1 className={shared.muted}>Nothing has changed yet. Start runs these steps in order.</Caption1>}
        />
        <OptionsSummary run={plan} />
        <PlanSteps steps={plan.steps} />
      </Card>
      {reset ? <ResetWarning reset={reset} confirmed={resetConfirmed} onConfirm={onConfirmReset} /> : null}
      <WizardFooter onBack={onBack}>
        <Button
          appearance="primary"
          icon={starting ? <Spinner size="tiny" /> : <Play20Filled />}
          disabled={starting || (reset !== null && !resetConfirmed)}
          onClick={onStart}
          data-testid="wizard-start"
        >
          {starting ? 'Starting…' : 'Start setup'}
        </Button>
      </WizardFooter>
    </>
  );
}

function OptionsSummary({ run }: { run: ScenarioRun }) {
  const styles = useStyles();
  const [known, setKnown] = useState<EnvironmentView[]>([]);
  useEffect(() => {
    if (!run.options.environments) return;
    let live = true;
    // Only names for the summary: a failed read keeps the generic label.
    backend.environments().then(
      (environments) => live && setKnown(environments),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [run.options.environments]);
  return (
    <dl className={styles.summary} data-testid="options-summary">
      {optionsSummary(run, known).map(([label, value]) => (
        <div key={label} className={styles.summaryItem}>
          <dt className={styles.dt}>{label}</dt>
          <dd className={styles.dd}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function PlanSteps({ steps }: { steps: ScenarioStep[] }) {
  const styles = useStyles();
  const shared = useWizardStyles();
  return (
    <ol className={shared.steps} data-testid="plan-steps">
      {steps.map((s, index) => (
        <li key={s.id} className={shared.stepRow} data-testid={`plan-step-${s.id}`}>
          <span className={styles.stepNumber}>{index + 1}</span>
          <div className={shared.stepText}>
            <Text weight="semibold">{s.title}</Text>
            <Body1 className={shared.detail}>{s.detail}</Body1>
          </div>
          {s.id === 'reset' ? (
            <Badge appearance="tint" color="warning" data-testid="reset-badge">
              Needs confirmation
            </Badge>
          ) : (
            <span />
          )}
        </li>
      ))}
    </ol>
  );
}

function ResetWarning({
  reset,
  confirmed,
  onConfirm,
}: {
  reset: ScenarioStep;
  confirmed: boolean;
  onConfirm: (confirmed: boolean) => void;
}) {
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="reset-warning">
      <MessageBarBody>
        <MessageBarTitle>Duet is linked already</MessageBarTitle>
        {reset.detail}
        <div>
          <Checkbox
            checked={confirmed}
            onChange={(_, data) => onConfirm(data.checked === true)}
            label="I understand that the current link will be reset before the setup starts."
            data-testid="confirm-reset"
          />
        </div>
      </MessageBarBody>
    </MessageBar>
  );
}
