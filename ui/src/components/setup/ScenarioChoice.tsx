import {
  Badge,
  Body1,
  Button,
  Card,
  CardHeader,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowRight16Regular,
  Building20Regular,
  CheckmarkCircle20Filled,
  Circle20Regular,
  Cloud20Regular,
} from '@fluentui/react-icons';
import type { ScenarioRun } from '../../bindings/ScenarioRun';
import type { ScenarioView } from '../../bindings/ScenarioView';
import { formatDateTime } from '../../lib/format';
import { kindColor, kindLabel } from '../../lib/scenarios';
import { useWizardStyles } from './styles';
import { WizardFooter } from './WizardFooter';

const useStyles = makeStyles({
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(340px, 1fr))',
    gap: tokens.spacingHorizontalL,
  },
  card: { padding: tokens.spacingHorizontalL, gap: tokens.spacingVerticalM, height: '100%' },
  selected: {
    outline: `${tokens.strokeWidthThick} solid ${tokens.colorBrandStroke1}`,
    outlineOffset: '-1px',
    backgroundColor: tokens.colorBrandBackground2,
    ':hover': { backgroundColor: tokens.colorBrandBackground2 },
  },
  check: { color: tokens.colorBrandForeground1, display: 'flex' },
  checkIdle: { color: tokens.colorNeutralForeground4, display: 'flex' },
  kinds: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});

/** The first step: the last finished setup (when there is one) and the six scenarios to choose from. */
export function ScenarioChoice({
  scenarios,
  selected,
  lastRun,
  onChoose,
  onViewLast,
  onNext,
}: {
  scenarios: ScenarioView[];
  selected: ScenarioView | null;
  lastRun: ScenarioRun | null;
  onChoose: (scenario: ScenarioView) => void;
  onViewLast: () => void;
  onNext: () => void;
}) {
  const styles = useStyles();
  return (
    <>
      {lastRun ? <LastRunBar run={lastRun} onView={onViewLast} /> : null}
      <div className={styles.grid} role="radiogroup" aria-label="Setup scenarios">
        {scenarios.map((scenario) => (
          <ScenarioCard
            key={scenario.id}
            scenario={scenario}
            selected={selected?.id === scenario.id}
            onSelect={() => onChoose(scenario)}
          />
        ))}
      </div>
      <WizardFooter>
        <Button
          appearance="primary"
          icon={<ArrowRight16Regular />}
          iconPosition="after"
          disabled={!selected}
          onClick={onNext}
          data-testid="wizard-next"
        >
          Next: options
        </Button>
      </WizardFooter>
    </>
  );
}

function LastRunBar({ run, onView }: { run: ScenarioRun; onView: () => void }) {
  return (
    <MessageBar intent="info" data-testid="last-run">
      <MessageBarBody>
        <MessageBarTitle>Last setup finished</MessageBarTitle>
        {run.scenario.title}
        {run.finishedAt ? `, ${formatDateTime(run.finishedAt)}` : ''}.
      </MessageBarBody>
      <MessageBarActions>
        <Button onClick={onView} data-testid="view-last-run">
          View results
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}

function ScenarioCard({ scenario, selected, onSelect }: { scenario: ScenarioView; selected: boolean; onSelect: () => void }) {
  const styles = useStyles();
  const shared = useWizardStyles();
  return (
    <Card
      className={mergeClasses(styles.card, selected && styles.selected)}
      selected={selected}
      onSelectionChange={onSelect}
      role="radio"
      aria-checked={selected}
      aria-label={scenario.title}
      data-testid={`scenario-${scenario.id}`}
      data-selected={selected}
    >
      <CardHeader
        header={<Subtitle2>{scenario.title}</Subtitle2>}
        action={
          <span className={selected ? styles.check : styles.checkIdle} aria-hidden>
            {selected ? <CheckmarkCircle20Filled /> : <Circle20Regular />}
          </span>
        }
      />
      <div className={styles.kinds}>
        <Badge appearance="tint" color={kindColor(scenario.financeOperations)} icon={<Building20Regular />}>
          F&amp;O: {kindLabel(scenario.financeOperations)}
        </Badge>
        <Badge appearance="tint" color={kindColor(scenario.dataverse)} icon={<Cloud20Regular />}>
          Dataverse: {kindLabel(scenario.dataverse)}
        </Badge>
      </div>
      <Body1 className={shared.muted}>{scenario.description}</Body1>
    </Card>
  );
}
