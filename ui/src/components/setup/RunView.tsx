import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Spinner,
  Subtitle1,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowClockwise20Regular,
  CheckmarkCircle20Filled,
  Circle20Regular,
  DismissCircle20Filled,
  Play20Filled,
  SubtractCircle20Regular,
} from '@fluentui/react-icons';
import type { ScenarioRun } from '../../bindings/ScenarioRun';
import type { ScenarioStep } from '../../bindings/ScenarioStep';
import { formatDateTime } from '../../lib/format';
import { progressCount, runOutcome, stepStatusColor, stepStatusLabel } from '../../lib/scenarios';
import { RunReports } from './RunReports';
import { useWizardStyles } from './styles';
import { WizardFooter } from './WizardFooter';

const useStyles = makeStyles({
  header: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  stepIcon: { display: 'flex', alignItems: 'center', justifyContent: 'center', width: '24px', height: '24px' },
  iconDone: { color: tokens.colorPaletteGreenForeground1 },
  iconFailed: { color: tokens.colorPaletteRedForeground1 },
  iconIdle: { color: tokens.colorNeutralForeground4 },
  message: { overflowWrap: 'anywhere' },
  messageFailed: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
});

/**
 * The last step: a run's result (with Resume when it stopped part way), its steps as they
 * progress, the bootstrap and agreement reports, and New setup once it no longer runs.
 */
export function RunView({
  run,
  busy,
  onResume,
  onStartOver,
}: {
  run: ScenarioRun;
  busy: boolean;
  onResume: () => void;
  onStartOver: () => void;
}) {
  return (
    <>
      <RunResult run={run} busy={busy} onResume={onResume} />
      <RunProgress run={run} />
      <RunReports run={run} />
      {run.status !== 'running' ? (
        <WizardFooter>
          <Button onClick={onStartOver} data-testid="run-new">
            New setup
          </Button>
        </WizardFooter>
      ) : null}
    </>
  );
}

function RunResult({ run, busy, onResume }: { run: ScenarioRun; busy: boolean; onResume: () => void }) {
  const failed = run.steps.find((s) => s.status === 'failed');
  switch (runOutcome(run)) {
    case 'done':
      return (
        <MessageBar intent="success" layout="multiline" data-testid="run-result" data-status="done">
          <MessageBarBody>
            <MessageBarTitle>Setup complete</MessageBarTitle>
            Both sides agree and the maps sync live. <Link href="#/maps" data-testid="open-maps">Open the Maps page</Link>
          </MessageBarBody>
        </MessageBar>
      );
    case 'failed':
      return (
        <MessageBar intent="error" layout="multiline" data-testid="run-result" data-status="failed">
          <MessageBarBody>
            <MessageBarTitle>Setup stopped{failed ? ` at “${failed.title}”` : ''}</MessageBarTitle>
            {failed?.message ?? 'A step failed.'} <Link href="#/maps">Open the Maps page</Link>
          </MessageBarBody>
          <MessageBarActions>
            <Button icon={<ArrowClockwise20Regular />} onClick={onResume} disabled={busy} data-testid="run-resume">
              Retry from this step
            </Button>
          </MessageBarActions>
        </MessageBar>
      );
    case 'unfinished':
      return (
        <MessageBar intent="warning" layout="multiline" data-testid="run-result" data-status={run.status}>
          <MessageBarBody>
            <MessageBarTitle>Setup unfinished</MessageBarTitle>
            The setup stopped before its last step. Resume it to continue where it stopped.
          </MessageBarBody>
          <MessageBarActions>
            <Button icon={<Play20Filled />} onClick={onResume} disabled={busy} data-testid="run-resume">
              Resume
            </Button>
          </MessageBarActions>
        </MessageBar>
      );
    default:
      return null;
  }
}

function RunProgress({ run }: { run: ScenarioRun }) {
  const styles = useStyles();
  const shared = useWizardStyles();
  const { finished, total } = progressCount(run);
  return (
    <Card className={shared.section} data-testid="run-card" data-status={run.status}>
      <div className={styles.header}>
        <div className={shared.titleRow}>
          <Subtitle1>{run.scenario.title}</Subtitle1>
          <Badge appearance="filled" color={stepStatusColor(run.status)} data-testid="run-status">
            {stepStatusLabel(run.status)}
          </Badge>
        </div>
        <Caption1 className={shared.muted}>
          {finished} of {total} steps
          {run.startedAt ? ` · started ${formatDateTime(run.startedAt)}` : ''}
          {run.finishedAt ? ` · finished ${formatDateTime(run.finishedAt)}` : ''}
        </Caption1>
      </div>
      <ProgressBar
        value={total ? finished / total : 0}
        thickness="large"
        color={run.status === 'failed' ? 'error' : run.status === 'done' ? 'success' : 'brand'}
      />
      <ol className={shared.steps} data-testid="run-steps">
        {run.steps.map((s) => (
          <RunStepRow key={s.id} step={s} />
        ))}
      </ol>
    </Card>
  );
}

function RunStepRow({ step }: { step: ScenarioStep }) {
  const styles = useStyles();
  const shared = useWizardStyles();
  return (
    <li className={shared.stepRow} data-testid={`run-step-${step.id}`} data-status={step.status}>
      <span className={styles.stepIcon}>
        <StepIcon step={step} />
      </span>
      <div className={shared.stepText}>
        <Text weight="semibold">{step.title}</Text>
        {step.message ? (
          <Body1 className={step.status === 'failed' ? styles.messageFailed : styles.message} data-testid="step-message">
            {step.message}
          </Body1>
        ) : (
          <Body1 className={shared.detail}>{step.detail}</Body1>
        )}
      </div>
      <Badge appearance="tint" color={stepStatusColor(step.status)} data-testid="step-status">
        {stepStatusLabel(step.status)}
      </Badge>
    </li>
  );
}

function StepIcon({ step }: { step: ScenarioStep }) {
  const styles = useStyles();
  switch (step.status) {
    case 'running':
      return <Spinner size="extra-tiny" aria-label="Running" />;
    case 'done':
      return <CheckmarkCircle20Filled className={styles.iconDone} aria-label="Done" />;
    case 'failed':
      return <DismissCircle20Filled className={styles.iconFailed} aria-label="Failed" />;
    case 'skipped':
      return <SubtractCircle20Regular className={styles.iconIdle} aria-label="Skipped" />;
    default:
      return <Circle20Regular className={styles.iconIdle} aria-label="Pending" />;
  }
}
