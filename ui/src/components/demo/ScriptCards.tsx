import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { CheckmarkCircle20Filled, Circle20Regular, DismissCircle20Filled, Play20Regular } from '@fluentui/react-icons';
import type { DemoRun } from '../../bindings/DemoRun';
import type { DemoScript } from '../../bindings/DemoScript';
import type { DemoScriptView } from '../../bindings/DemoScriptView';
import type { DemoStep } from '../../bindings/DemoStep';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(340px, 1fr))', gap: tokens.spacingHorizontalL },
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  narration: { color: tokens.colorNeutralForeground3 },
  steps: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, margin: 0, padding: 0, listStyle: 'none' },
  step: { display: 'grid', gridTemplateColumns: '20px 1fr', columnGap: tokens.spacingHorizontalS, alignItems: 'start' },
  detail: { gridColumn: '2', color: tokens.colorNeutralForeground2, overflowWrap: 'anywhere' },
  done: { color: tokens.colorPaletteGreenForeground1 },
  failed: { color: tokens.colorPaletteRedForeground1 },
  pending: { color: tokens.colorNeutralForeground4 },
});

function StepIcon({ step }: { step: DemoStep }) {
  const styles = useStyles();
  switch (step.status) {
    case 'done':
      return <CheckmarkCircle20Filled className={styles.done} />;
    case 'failed':
      return <DismissCircle20Filled className={styles.failed} />;
    case 'running':
      return <Spinner size="extra-tiny" />;
    case 'pending':
      return <Circle20Regular className={styles.pending} />;
  }
}

function RunSteps({ run }: { run: DemoRun }) {
  const styles = useStyles();
  return (
    <>
      <ol className={styles.steps} data-testid="demo-steps">
        {run.steps.map((step, index) => (
          <li key={index} className={styles.step} data-testid="demo-step" data-status={step.status}>
            <StepIcon step={step} />
            <Body1>{step.title}</Body1>
            {step.detail ? <Caption1 className={styles.detail}>{step.detail}</Caption1> : null}
          </li>
        ))}
      </ol>
      {run.outcome.kind === 'passed' ? (
        <MessageBar intent="success" layout="multiline" data-testid="demo-outcome" data-outcome="passed">
          <MessageBarBody>
            <MessageBarTitle>Passed</MessageBarTitle>
            {run.outcome.summary}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {run.outcome.kind === 'failed' ? (
        <MessageBar intent="error" layout="multiline" data-testid="demo-outcome" data-outcome="failed">
          <MessageBarBody>
            <MessageBarTitle>Failed</MessageBarTitle>
            {run.outcome.reason}
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </>
  );
}

/** The scripted demos as cards: Run, then the steps as they happen and a pass or failure. */
export function ScriptCards({
  scripts,
  run,
  busy,
  onRun,
}: {
  scripts: DemoScriptView[];
  run: DemoRun | null;
  busy: boolean;
  onRun: (script: DemoScript) => void;
}) {
  const styles = useStyles();
  const running = run?.outcome.kind === 'running';
  return (
    <div className={styles.grid}>
      {scripts.map((script) => {
        const shown = run?.script === script.script ? run : null;
        return (
          <Card key={script.script} className={styles.card} data-testid={`demo-script-${script.script}`}>
            <CardHeader
              header={<Text weight="semibold">{script.title}</Text>}
              description={<Caption1 className={styles.narration}>{script.narration}</Caption1>}
              action={
                <Button
                  appearance="primary"
                  icon={<Play20Regular />}
                  disabled={running || busy}
                  onClick={() => onRun(script.script)}
                  data-testid={`demo-run-${script.script}`}
                >
                  Run
                </Button>
              }
            />
            {shown ? (
              <>
                {shown.key ? (
                  <Badge appearance="outline" data-testid="demo-run-key">
                    {shown.key}
                  </Badge>
                ) : null}
                <RunSteps run={shown} />
              </>
            ) : (
              <ol className={styles.steps}>
                {script.steps.map((title) => (
                  <li key={title} className={styles.step}>
                    <Circle20Regular className={styles.pending} />
                    <Caption1>{title}</Caption1>
                  </li>
                ))}
              </ol>
            )}
          </Card>
        );
      })}
    </div>
  );
}
