import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Checkbox,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Radio,
  RadioGroup,
  Spinner,
  Subtitle1,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Tag,
  TagGroup,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowClockwise20Regular,
  ArrowLeft16Regular,
  ArrowRight16Regular,
  Building20Regular,
  Checkmark16Filled,
  CheckmarkCircle20Filled,
  Circle20Regular,
  Cloud20Regular,
  DismissCircle20Filled,
  Play20Filled,
  SubtractCircle20Regular,
} from '@fluentui/react-icons';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { backend, toApiError } from '../backend';
import type { Agreement } from '../bindings/Agreement';
import type { ApiError } from '../bindings/ApiError';
import type { BootstrapReport } from '../bindings/BootstrapReport';
import type { ScenarioRun } from '../bindings/ScenarioRun';
import type { ScenarioStep } from '../bindings/ScenarioStep';
import type { ScenarioView } from '../bindings/ScenarioView';
import { ErrorBar } from '../components/ErrorBar';
import { PageHeader } from '../components/PageHeader';
import { formatCount, formatDateTime } from '../lib/format';
import {
  DEFAULT_DRAFT,
  agrees,
  hasErrors,
  isUnfinished,
  kindLabel,
  optionsFromDraft,
  progressCount,
  resetStep,
  stepStatusColor,
  stepStatusLabel,
  usesExistingRows,
  usesRows,
  validateDraft,
  type OptionsDraft,
} from '../lib/scenarios';

/** Events can be missed (a reconnecting event stream): look at the run this often while it runs. */
const RUN_POLL_MS = 3_000;
const WIZARD_STEPS = ['Scenario', 'Options', 'Review plan', 'Run'] as const;
type WizardStep = 0 | 1 | 2 | 3;

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '1400px' },
  stepper: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    listStyleType: 'none',
    margin: 0,
    paddingBlock: tokens.spacingVerticalM,
    paddingInline: tokens.spacingHorizontalXL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow2,
  },
  stepperItem: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexShrink: 0 },
  stepperLine: { flexGrow: 1, height: tokens.strokeWidthThin, backgroundColor: tokens.colorNeutralStroke2, minWidth: '24px' },
  stepperLineDone: { backgroundColor: tokens.colorBrandStroke1 },
  bubble: {
    width: '28px',
    height: '28px',
    borderRadius: tokens.borderRadiusCircular,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    fontWeight: tokens.fontWeightSemibold,
    fontSize: tokens.fontSizeBase300,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    color: tokens.colorNeutralForeground3,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  bubbleCurrent: {
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandBackground}`,
  },
  bubbleDone: {
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandStroke2}`,
  },
  stepperLabel: { color: tokens.colorNeutralForeground3 },
  stepperLabelCurrent: { color: tokens.colorNeutralForeground1, fontWeight: tokens.fontWeightSemibold },
  scenarioGrid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(340px, 1fr))',
    gap: tokens.spacingHorizontalL,
  },
  scenarioCard: { padding: tokens.spacingHorizontalL, gap: tokens.spacingVerticalM, height: '100%' },
  scenarioSelected: {
    outline: `${tokens.strokeWidthThick} solid ${tokens.colorBrandStroke1}`,
    outlineOffset: '-1px',
    backgroundColor: tokens.colorBrandBackground2,
    ':hover': { backgroundColor: tokens.colorBrandBackground2 },
  },
  check: { color: tokens.colorBrandForeground1, display: 'flex' },
  checkIdle: { color: tokens.colorNeutralForeground4, display: 'flex' },
  tags: { flexWrap: 'wrap', rowGap: tokens.spacingVerticalXS },
  kinds: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  kind: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  muted: { color: tokens.colorNeutralForeground3 },
  section: { padding: tokens.spacingHorizontalXL, gap: tokens.spacingVerticalL },
  form: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(280px, 1fr))', gap: tokens.spacingHorizontalXL, rowGap: tokens.spacingVerticalL },
  formWide: { gridColumn: '1 / -1' },
  footer: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  footerEnd: { display: 'flex', gap: tokens.spacingHorizontalS, marginInlineStart: 'auto' },
  summary: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))',
    gap: tokens.spacingHorizontalL,
    margin: 0,
  },
  summaryItem: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, margin: 0 },
  dt: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  dd: { margin: 0, fontWeight: tokens.fontWeightSemibold },
  steps: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column' },
  stepRow: {
    display: 'grid',
    gridTemplateColumns: '32px minmax(0, 1fr) auto',
    columnGap: tokens.spacingHorizontalM,
    alignItems: 'start',
    paddingBlock: tokens.spacingVerticalM,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
    ':last-child': { borderBottom: 'none' },
  },
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
  stepIcon: { display: 'flex', alignItems: 'center', justifyContent: 'center', width: '24px', height: '24px' },
  iconDone: { color: tokens.colorPaletteGreenForeground1 },
  iconFailed: { color: tokens.colorPaletteRedForeground1 },
  iconIdle: { color: tokens.colorNeutralForeground4 },
  stepText: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  detail: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  message: { overflowWrap: 'anywhere' },
  messageFailed: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
  runHeader: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  runTitle: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  twoCols: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', gap: tokens.spacingHorizontalXL, alignItems: 'start' },
  tableCard: { padding: 0, overflowX: 'auto', gap: tokens.spacingVerticalS },
  table: { marginInline: tokens.spacingHorizontalS, width: 'auto' },
  tableTitle: { paddingInline: tokens.spacingHorizontalXL, paddingTop: tokens.spacingVerticalL },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  numHeader: { justifyContent: 'flex-end', whiteSpace: 'nowrap' },
  bad: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  zero: { color: tokens.colorNeutralForeground4 },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  examples: { paddingInline: tokens.spacingHorizontalXL, paddingBottom: tokens.spacingVerticalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  metrics: { display: 'flex', gap: tokens.spacingHorizontalXXL, flexWrap: 'wrap' },
  metric: { display: 'flex', flexDirection: 'column' },
  metricValue: { fontSize: tokens.fontSizeHero700, lineHeight: tokens.lineHeightHero700, fontWeight: tokens.fontWeightSemibold, fontVariantNumeric: 'tabular-nums' },
});

export function SetupPage() {
  const styles = useStyles();
  const [scenarios, setScenarios] = useState<ScenarioView[]>([]);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [step, setStep] = useState<WizardStep>(0);
  const [selected, setSelected] = useState<ScenarioView | null>(null);
  const [draft, setDraft] = useState<OptionsDraft>(DEFAULT_DRAFT);
  const [plan, setPlan] = useState<ScenarioRun | null>(null);
  const [planning, setPlanning] = useState(false);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [resetConfirmed, setResetConfirmed] = useState(false);
  const [starting, setStarting] = useState(false);
  const [run, setRun] = useState<ScenarioRun | null>(null);
  const [lastRun, setLastRun] = useState<ScenarioRun | null>(null);
  const stepRef = useRef<WizardStep>(0);
  useEffect(() => {
    stepRef.current = step;
  }, [step]);

  const load = useCallback(() => {
    return Promise.all([backend.scenarios(), backend.scenarioRun()]).then(
      ([list, current]) => {
        setScenarios(list);
        setLoadError(null);
        setLoading(false);
        if (current && isUnfinished(current)) {
          // A run in progress, or one that stopped part way: show where it is.
          setRun(current);
          setSelected(list.find((s) => s.id === current.scenario.id) ?? current.scenario);
          setStep(3);
        } else if (current && current.status === 'done') {
          setLastRun(current);
        }
      },
      (e: unknown) => {
        setLoadError(toApiError(e));
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    const unsubscribe = backend.subscribe((event) => {
      if (event.type !== 'scenarioChanged') return;
      setRun(event.run);
      if (event.run.status === 'running' && stepRef.current !== 3) {
        setSelected(event.run.scenario);
        setStep(3);
      }
    });
    void load();
    return unsubscribe;
  }, [load]);

  const running = run?.status === 'running';
  useEffect(() => {
    if (!running || step !== 3) return;
    const timer = setInterval(() => {
      backend.scenarioRun().then(
        (value) => {
          if (value) setRun(value);
        },
        () => {},
      );
    }, RUN_POLL_MS);
    return () => clearInterval(timer);
  }, [running, step]);

  const errors = selected ? validateDraft(draft, selected) : {};
  const invalid = hasErrors(errors);
  const reset = resetStep(plan);

  const choose = (scenario: ScenarioView) => {
    setSelected(scenario);
    setPlan(null);
    setActionError(null);
  };

  const review = async () => {
    if (!selected || invalid) return;
    setPlanning(true);
    setActionError(null);
    try {
      const value = await backend.scenarioPlan(selected.id, optionsFromDraft(draft, selected));
      setPlan(value);
      setResetConfirmed(false);
      setStep(2);
    } catch (e) {
      setActionError(toApiError(e));
    } finally {
      setPlanning(false);
    }
  };

  const start = async () => {
    if (!selected || !plan) return;
    setStarting(true);
    setActionError(null);
    setRun(null);
    try {
      const value = await backend.startScenario(selected.id, optionsFromDraft(draft, selected));
      // Progress events may have arrived before the answer; they are newer than the plan.
      setRun((current) => current ?? { ...value, status: 'running' });
      setLastRun(null);
      setStep(3);
    } catch (e) {
      setActionError(toApiError(e));
    } finally {
      setStarting(false);
    }
  };

  /** Runs an unfinished run again: it resumes at its first step not done. */
  const resume = async () => {
    if (!run) return;
    setStarting(true);
    setActionError(null);
    const previous = run;
    setRun({ ...previous, status: 'running' });
    try {
      await backend.startScenario(previous.scenario.id, previous.options);
    } catch (e) {
      setRun(previous);
      setActionError(toApiError(e));
    } finally {
      setStarting(false);
    }
  };

  const startOver = () => {
    setStep(0);
    setPlan(null);
    setActionError(null);
    setResetConfirmed(false);
    if (run?.status === 'done') setLastRun(run);
    setRun(null);
  };

  const viewLast = () => {
    if (!lastRun) return;
    setRun(lastRun);
    setSelected(lastRun.scenario);
    setStep(3);
  };

  return (
    <div className={styles.page} data-testid="page-setup">
      <PageHeader
        title="Setup"
        description="Link finance and operations with Dataverse by following one of the six documented setup scenarios."
      />
      <Stepper current={step} />
      {loadError ? <ErrorBar title="Cannot load the setup scenarios" error={loadError} onRetry={() => void load()} /> : null}
      {actionError ? (
        <div data-testid="setup-error">
          <ErrorBar title={step === 3 ? 'Cannot resume the setup' : step === 2 ? 'Cannot start the setup' : 'Cannot plan the setup'} error={actionError} />
        </div>
      ) : null}
      {loading ? (
        <Spinner label="Loading scenarios…" data-testid="setup-loading" />
      ) : loadError ? null : step === 0 ? (
        <>
          {lastRun ? (
            <MessageBar intent="info" data-testid="last-run">
              <MessageBarBody>
                <MessageBarTitle>Last setup finished</MessageBarTitle>
                {lastRun.scenario.title}
                {lastRun.finishedAt ? `, ${formatDateTime(lastRun.finishedAt)}` : ''}.
              </MessageBarBody>
              <MessageBarActions>
                <Button onClick={viewLast} data-testid="view-last-run">
                  View results
                </Button>
              </MessageBarActions>
            </MessageBar>
          ) : null}
          <div className={styles.scenarioGrid} role="radiogroup" aria-label="Setup scenarios">
            {scenarios.map((scenario) => (
              <ScenarioCard
                key={scenario.id}
                scenario={scenario}
                selected={selected?.id === scenario.id}
                onSelect={() => choose(scenario)}
              />
            ))}
          </div>
          <div className={styles.footer}>
            <div className={styles.footerEnd}>
              <Button
                appearance="primary"
                icon={<ArrowRight16Regular />}
                iconPosition="after"
                disabled={!selected}
                onClick={() => setStep(1)}
                data-testid="wizard-next"
              >
                Next: options
              </Button>
            </div>
          </div>
        </>
      ) : step === 1 && selected ? (
        <>
          <Card className={styles.section} data-testid="options-card">
            <CardHeader
              header={<Subtitle1>Options</Subtitle1>}
              description={<Caption1 className={styles.muted}>{selected.title}</Caption1>}
            />
            <div className={styles.form}>
              <Field
                label="Legal entities"
                required
                validationState={errors.companies ? 'error' : 'none'}
                validationMessage={errors.companies ?? 'Company codes to link, separated by commas (for example DAT, USMF).'}
              >
                <Input
                  value={draft.companies}
                  onChange={(_, data) => setDraft((d) => ({ ...d, companies: data.value }))}
                  data-testid="option-companies"
                />
              </Field>
              <Field label="Master" hint="Which side wins for rows that exist on both sides.">
                <RadioGroup
                  layout="horizontal"
                  value={draft.master}
                  onChange={(_, data) => setDraft((d) => ({ ...d, master: data.value as OptionsDraft['master'] }))}
                  data-testid="option-master"
                >
                  <Radio value="financeOperations" label="Finance and operations" />
                  <Radio value="dataverse" label="Dataverse" />
                </RadioGroup>
              </Field>
              {usesRows(selected) ? (
                <Field
                  label="Customers to generate in finance and operations"
                  required
                  validationState={errors.rows ? 'error' : 'none'}
                  validationMessage={errors.rows ?? 'The new finance and operations environment starts with this many customers.'}
                >
                  <Input
                    type="number"
                    min={1}
                    value={draft.rows}
                    onChange={(_, data) => setDraft((d) => ({ ...d, rows: data.value }))}
                    data-testid="option-rows"
                  />
                </Field>
              ) : null}
              {usesExistingRows(selected) ? (
                <Field
                  label="Existing Dataverse accounts without a company"
                  required
                  validationState={errors.existingRows ? 'error' : 'none'}
                  validationMessage={errors.existingRows ?? 'Accounts the existing Dataverse environment holds before the setup.'}
                >
                  <Input
                    type="number"
                    min={1}
                    value={draft.existingRows}
                    onChange={(_, data) => setDraft((d) => ({ ...d, existingRows: data.value }))}
                    data-testid="option-existing-rows"
                  />
                </Field>
              ) : null}
              <Field label="Maps" hint="The setup scenarios sync customers (CustomersV3 ↔ account).">
                <Checkbox checked disabled label="Customers" />
              </Field>
            </div>
          </Card>
          <div className={styles.footer}>
            <Button icon={<ArrowLeft16Regular />} onClick={() => setStep(0)} data-testid="wizard-back">
              Back
            </Button>
            <div className={styles.footerEnd}>
              <Button
                appearance="primary"
                icon={planning ? <Spinner size="tiny" /> : <ArrowRight16Regular />}
                iconPosition="after"
                disabled={invalid || planning}
                onClick={() => void review()}
                data-testid="wizard-review"
              >
                {planning ? 'Planning…' : 'Next: review plan'}
              </Button>
            </div>
          </div>
        </>
      ) : step === 2 && selected && plan ? (
        <>
          <Card className={styles.section} data-testid="plan-card">
            <CardHeader
              header={<Subtitle1>Review the plan</Subtitle1>}
              description={<Caption1 className={styles.muted}>Nothing has changed yet. Start runs these steps in order.</Caption1>}
            />
            <OptionsSummary run={plan} />
            <ol className={styles.steps} data-testid="plan-steps">
              {plan.steps.map((s, index) => (
                <li key={s.id} className={styles.stepRow} data-testid={`plan-step-${s.id}`}>
                  <span className={styles.stepNumber}>{index + 1}</span>
                  <div className={styles.stepText}>
                    <Text weight="semibold">{s.title}</Text>
                    <Body1 className={styles.detail}>{s.detail}</Body1>
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
          </Card>
          {reset ? (
            <MessageBar intent="warning" layout="multiline" data-testid="reset-warning">
              <MessageBarBody>
                <MessageBarTitle>Duet is linked already</MessageBarTitle>
                {reset.detail}
                <div>
                  <Checkbox
                    checked={resetConfirmed}
                    onChange={(_, data) => setResetConfirmed(data.checked === true)}
                    label="I understand that the current link will be reset before the setup starts."
                    data-testid="confirm-reset"
                  />
                </div>
              </MessageBarBody>
            </MessageBar>
          ) : null}
          <div className={styles.footer}>
            <Button icon={<ArrowLeft16Regular />} onClick={() => setStep(1)} data-testid="wizard-back">
              Back
            </Button>
            <div className={styles.footerEnd}>
              <Button
                appearance="primary"
                icon={starting ? <Spinner size="tiny" /> : <Play20Filled />}
                disabled={starting || (reset !== null && !resetConfirmed)}
                onClick={() => void start()}
                data-testid="wizard-start"
              >
                {starting ? 'Starting…' : 'Start setup'}
              </Button>
            </div>
          </div>
        </>
      ) : step === 3 ? (
        run ? (
          <RunView run={run} busy={starting} onResume={() => void resume()} onStartOver={startOver} />
        ) : (
          <Spinner label="Starting the setup…" data-testid="run-starting" />
        )
      ) : null}
    </div>
  );
}

function Stepper({ current }: { current: WizardStep }) {
  const styles = useStyles();
  return (
    <ol className={styles.stepper} aria-label="Setup steps" data-testid="wizard-stepper">
      {WIZARD_STEPS.map((label, index) => {
        const state = index < current ? 'done' : index === current ? 'current' : 'todo';
        return [
          index > 0 ? (
            <li
              key={`line-${label}`}
              aria-hidden
              className={mergeClasses(styles.stepperLine, index <= current && styles.stepperLineDone)}
            />
          ) : null,
          <li
            key={label}
            className={styles.stepperItem}
            aria-current={state === 'current' ? 'step' : undefined}
            data-testid={`wizard-step-${index + 1}`}
            data-state={state}
          >
            <span
              className={mergeClasses(
                styles.bubble,
                state === 'current' && styles.bubbleCurrent,
                state === 'done' && styles.bubbleDone,
              )}
            >
              {state === 'done' ? <Checkmark16Filled /> : index + 1}
            </span>
            <Text className={mergeClasses(styles.stepperLabel, state === 'current' && styles.stepperLabelCurrent)}>{label}</Text>
          </li>,
        ];
      })}
    </ol>
  );
}

function ScenarioCard({ scenario, selected, onSelect }: { scenario: ScenarioView; selected: boolean; onSelect: () => void }) {
  const styles = useStyles();
  return (
    <Card
      className={mergeClasses(styles.scenarioCard, selected && styles.scenarioSelected)}
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
      <Body1 className={styles.muted}>{scenario.description}</Body1>
    </Card>
  );
}

/** Badge colour per environment kind: new (brand), new with data (success), existing (informative). */
function kindColor(kind: string) {
  return kind === 'existing' ? 'informative' : kind === 'new with data' ? 'success' : 'brand';
}

function OptionsSummary({ run }: { run: ScenarioRun }) {
  const styles = useStyles();
  const items: [string, ReactNode][] = [
    ['Scenario', run.scenario.title],
    ['Legal entities', run.options.companies.join(', ')],
    ['Master', run.options.master === 'financeOperations' ? 'Finance and operations' : 'Dataverse'],
  ];
  if (usesRows(run.scenario)) items.push(['Customers to generate', formatCount(run.options.rows)]);
  if (usesExistingRows(run.scenario)) items.push(['Existing accounts', formatCount(run.options.existingRows)]);
  return (
    <dl className={styles.summary} data-testid="options-summary">
      {items.map(([label, value]) => (
        <div key={label} className={styles.summaryItem}>
          <dt className={styles.dt}>{label}</dt>
          <dd className={styles.dd}>{value}</dd>
        </div>
      ))}
    </dl>
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

function RunView({
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
  const styles = useStyles();
  const { finished, total } = progressCount(run);
  const failed = run.steps.find((s) => s.status === 'failed');
  const active = run.status === 'running';
  return (
    <>
      {run.status === 'done' ? (
        <MessageBar intent="success" layout="multiline" data-testid="run-result" data-status="done">
          <MessageBarBody>
            <MessageBarTitle>Setup complete</MessageBarTitle>
            Both sides agree and the maps sync live. <Link href="#/maps" data-testid="open-maps">Open the Maps page</Link>
          </MessageBarBody>
        </MessageBar>
      ) : run.status === 'failed' ? (
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
      ) : !active && run.startedAt ? (
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
      ) : null}
      <Card className={styles.section} data-testid="run-card" data-status={run.status}>
        <div className={styles.runHeader}>
          <div className={styles.runTitle}>
            <Subtitle1>{run.scenario.title}</Subtitle1>
            <Badge appearance="filled" color={stepStatusColor(run.status)} data-testid="run-status">
              {stepStatusLabel(run.status)}
            </Badge>
          </div>
          <Caption1 className={styles.muted}>
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
        <ol className={styles.steps} data-testid="run-steps">
          {run.steps.map((s) => (
            <li key={s.id} className={styles.stepRow} data-testid={`run-step-${s.id}`} data-status={s.status}>
              <span className={styles.stepIcon}>
                <StepIcon step={s} />
              </span>
              <div className={styles.stepText}>
                <Text weight="semibold">{s.title}</Text>
                {s.message ? (
                  <Body1 className={s.status === 'failed' ? styles.messageFailed : styles.message} data-testid="step-message">
                    {s.message}
                  </Body1>
                ) : (
                  <Body1 className={styles.detail}>{s.detail}</Body1>
                )}
              </div>
              <Badge appearance="tint" color={stepStatusColor(s.status)} data-testid="step-status">
                {stepStatusLabel(s.status)}
              </Badge>
            </li>
          ))}
        </ol>
      </Card>
      {run.bootstrap || run.agreement.length ? (
        <div className={styles.twoCols}>
          {run.bootstrap ? <BootstrapCard report={run.bootstrap} /> : null}
          {run.agreement.map((agreement) => (
            <AgreementCard key={agreement.map} agreement={agreement} />
          ))}
        </div>
      ) : null}
      {!active ? (
        <div className={styles.footer}>
          <div className={styles.footerEnd}>
            <Button onClick={onStartOver} data-testid="run-new">
              New setup
            </Button>
          </div>
        </div>
      ) : null}
    </>
  );
}

function BootstrapCard({ report }: { report: BootstrapReport }) {
  const styles = useStyles();
  return (
    <Card className={styles.section} data-testid="bootstrap-report">
      <CardHeader
        header={<Subtitle2>Bootstrap</Subtitle2>}
        description={<Caption1 className={styles.muted}>Existing Dataverse accounts given a company</Caption1>}
      />
      <div className={styles.metrics}>
        <div className={styles.metric}>
          <span className={styles.metricValue} data-testid="bootstrap-matched">
            {formatCount(report.matched)}
          </span>
          <Caption1 className={styles.muted}>matched by account number</Caption1>
        </div>
        <div className={styles.metric}>
          <span className={styles.metricValue} data-testid="bootstrap-unmatched">
            {formatCount(report.unmatched)}
          </span>
          <Caption1 className={styles.muted}>unmatched, given {report.defaultCompany}</Caption1>
        </div>
      </div>
      {report.unmatchedKeys.length ? (
        <div>
          <Caption1 className={styles.muted}>Unmatched account numbers{report.unmatched > report.unmatchedKeys.length ? ' (first 50)' : ''}</Caption1>
          <TagGroup aria-label="Unmatched account numbers" className={styles.tags}>
            {report.unmatchedKeys.map((key) => (
              <Tag key={key} value={key} size="extra-small" appearance="outline" className={styles.mono}>
                {key}
              </Tag>
            ))}
          </TagGroup>
        </div>
      ) : null}
    </Card>
  );
}

function AgreementCard({ agreement }: { agreement: Agreement }) {
  const styles = useStyles();
  const ok = agrees(agreement);
  const rows: [string, number, boolean][] = [
    ['Rows in finance and operations', agreement.financeOperationsRows, false],
    ['Rows in Dataverse', agreement.dataverseRows, false],
    ['Matched (same values)', agreement.matched, false],
    ['Missing in Dataverse', agreement.missingInDataverse, true],
    ['Missing in finance and operations', agreement.missingInFinanceOperations, true],
    ['Differing', agreement.differing, true],
    ['Dataverse rows without a company', agreement.withoutCompany, true],
  ];
  return (
    <Card className={styles.tableCard} data-testid={`agreement-${agreement.map}`} data-agrees={ok}>
      <div className={styles.tableTitle}>
        <div className={styles.runTitle}>
          <Subtitle2>Agreement: {agreement.map}</Subtitle2>
          <Badge appearance="filled" color={ok ? 'success' : 'danger'} data-testid="agreement-status">
            {ok ? 'Both sides agree' : 'Sides differ'}
          </Badge>
        </div>
      </div>
      <Table size="small" className={styles.table} aria-label={`Agreement of ${agreement.map}`}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Measure</TableHeaderCell>
            <TableHeaderCell button={{ className: styles.numHeader }}>Rows</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map(([label, value, problem]) => (
            <TableRow key={label}>
              <TableCell>{label}</TableCell>
              <TableCell className={mergeClasses(styles.num, problem && (value > 0 ? styles.bad : styles.zero))}>
                {formatCount(value)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {agreement.examples.length ? (
        <div className={styles.examples}>
          <Caption1 className={styles.muted}>Examples</Caption1>
          {agreement.examples.map((example) => (
            <Text key={example} className={styles.mono}>
              {example}
            </Text>
          ))}
        </div>
      ) : null}
    </Card>
  );
}
