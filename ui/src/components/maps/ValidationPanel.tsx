import { Badge, Body1, Button, Caption1, MessageBar, MessageBarActions, MessageBarBody, Spinner, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { ArrowClockwise16Regular, CheckmarkCircle20Filled, ErrorCircle20Filled, Warning20Filled } from '@fluentui/react-icons';
import { useState } from 'react';
import type { MapProblemView } from '../../bindings/MapProblemView';
import { fieldLabel } from '../../lib/mapsAlm';
import { orderedProblems, problemSubject, validationSummary } from '../../lib/validation';
import type { MapPanelProps } from './mapPanel';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  summary: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, fontWeight: tokens.fontWeightSemibold },
  ok: { color: tokens.colorPaletteGreenForeground1 },
  blocked: { color: tokens.colorPaletteRedForeground1 },
  warned: { color: tokens.colorPaletteDarkOrangeForeground1 },
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, margin: 0, padding: 0, listStyleType: 'none' },
  problem: {
    display: 'grid',
    gridTemplateColumns: 'auto auto 1fr',
    alignItems: 'baseline',
    columnGap: tokens.spacingHorizontalS,
    rowGap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderLeftWidth: tokens.strokeWidthThickest,
    backgroundColor: tokens.colorNeutralBackground1,
    textAlign: 'start',
    width: '100%',
    fontFamily: 'inherit',
    fontSize: 'inherit',
    lineHeight: 'inherit',
    color: 'inherit',
  },
  error: { borderLeftColor: tokens.colorPaletteRedBorder2 },
  warning: { borderLeftColor: tokens.colorPaletteDarkOrangeBorder2 },
  clickable: { cursor: 'pointer', ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover } },
  code: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold },
  subject: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, color: tokens.colorBrandForeground1 },
  detail: { gridColumnStart: 1, gridColumnEnd: 4, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  fix: { color: tokens.colorNeutralForeground2 },
  muted: { color: tokens.colorNeutralForeground3 },
});

export interface ValidationPanelProps extends MapPanelProps {
  /** Shows the problem where it is fixed (the drawer switches to its tab or field). */
  onSelectProblem?: (problem: MapProblemView) => void;
  /** Reads both tables' columns again; offered when the schema checks could not run. */
  onRefreshSchema?: () => void | Promise<unknown>;
}

/** Every problem validation finds in the draft, errors first, with what each points at and its fix. */
export function ValidationPanel({ draft, validation, onSelectProblem, onRefreshSchema }: ValidationPanelProps) {
  const styles = useStyles();
  const [refreshing, setRefreshing] = useState(false);
  if (!validation) return <Spinner size="small" label="Validating the map…" data-testid="validation-panel" />;

  const problems = orderedProblems(validation.problems);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const tone = errors > 0 ? styles.blocked : problems.length > 0 ? styles.warned : styles.ok;
  const refresh = () => {
    if (!onRefreshSchema) return;
    setRefreshing(true);
    void Promise.resolve(onRefreshSchema()).finally(() => setRefreshing(false));
  };

  return (
    <section className={styles.root} data-testid="validation-panel" aria-label="Validation">
      <Body1 className={mergeClasses(styles.summary, tone)} data-testid="validation-summary" data-errors={errors} data-problems={problems.length}>
        {errors > 0 ? <ErrorCircle20Filled /> : problems.length > 0 ? <Warning20Filled /> : <CheckmarkCircle20Filled />}
        {validationSummary(problems)}
      </Body1>
      {validation.schemaChecked ? (
        <Caption1 className={styles.muted} data-testid="validation-schema" data-checked="true">
          The columns were checked against both environments.
        </Caption1>
      ) : (
        <MessageBar intent="warning" layout="multiline" data-testid="validation-schema" data-checked="false">
          <MessageBarBody>
            The columns could not be checked, so problems with unknown, mandatory or read-only columns are not listed
            {validation.schemaError ? `: ${validation.schemaError}` : '.'}
          </MessageBarBody>
          {onRefreshSchema ? (
            <MessageBarActions>
              <Button icon={<ArrowClockwise16Regular />} disabled={refreshing} onClick={refresh} data-testid="validation-refresh-schema">
                {refreshing ? 'Reading the columns…' : 'Refresh schema'}
              </Button>
            </MessageBarActions>
          ) : null}
        </MessageBar>
      )}
      {problems.length > 0 ? (
        <ul className={styles.list}>
          {problems.map((problem, index) => (
            <li key={`${problem.code}-${problem.path}-${index}`}>
              <ProblemItem problem={problem} subject={problemSubject(problem, draft.fields, fieldLabel)} onSelect={onSelectProblem} />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function ProblemItem({ problem, subject, onSelect }: { problem: MapProblemView; subject: string; onSelect?: (problem: MapProblemView) => void }) {
  const styles = useStyles();
  const content = (
    <>
      <span className={styles.code} data-testid="validation-problem-code">
        {problem.code}
      </span>
      <Badge appearance="tint" color={problem.severity === 'error' ? 'danger' : 'warning'} data-testid="validation-problem-severity">
        {problem.severity}
      </Badge>
      <span className={styles.subject} title={problem.path} data-testid="validation-problem-subject">
        {subject}
      </span>
      <span className={styles.detail}>
        <Body1 data-testid="validation-problem-message">{problem.message}</Body1>
        <Caption1 className={styles.fix} data-testid="validation-problem-fix">
          Fix: {problem.fix}
        </Caption1>
      </span>
    </>
  );
  const className = mergeClasses(styles.problem, problem.severity === 'error' ? styles.error : styles.warning, onSelect && styles.clickable);
  const common = { 'data-testid': `validation-problem-${problem.code}`, 'data-severity': problem.severity, 'data-path': problem.path };
  return onSelect ? (
    <button type="button" className={className} onClick={() => onSelect(problem)} title={`Show ${subject}`} {...common}>
      {content}
    </button>
  ) : (
    <div className={className} {...common}>
      {content}
    </div>
  );
}
