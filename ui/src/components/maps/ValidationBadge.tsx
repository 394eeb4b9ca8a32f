import { Badge, Button, Popover, PopoverSurface, PopoverTrigger, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import type { ApiError } from '../../bindings/ApiError';
import type { ValidationView } from '../../bindings/ValidationView';
import { ProblemList } from './ProblemList';

const useStyles = makeStyles({
  surface: { maxWidth: '760px', maxHeight: '60vh', overflowY: 'auto', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  muted: { color: tokens.colorNeutralForeground3 },
});

/**
 * What validation finds in the draft (or the saved map), as a count of errors and warnings;
 * a click lists them (problems of the map as a whole appear on no field row).
 */
export function ValidationBadge({ validation, error }: { validation: ValidationView | null; error: ApiError | null }) {
  const styles = useStyles();
  if (error) {
    return (
      <Badge appearance="tint" color="danger" title={error.message} data-testid="details-problems" data-errors="unknown">
        Cannot validate: {error.message}
      </Badge>
    );
  }
  if (!validation) return <Spinner size="extra-tiny" label="Validating…" />;
  const errors = validation.problems.filter((p) => p.severity === 'error').length;
  const warnings = validation.problems.length - errors;
  const text =
    validation.problems.length === 0
      ? 'No problems'
      : [errors ? `${errors} ${errors === 1 ? 'error' : 'errors'}` : '', warnings ? `${warnings} ${warnings === 1 ? 'warning' : 'warnings'}` : '']
          .filter(Boolean)
          .join(', ');
  const checked = validation.schemaChecked ? 'Checked against the columns of both environments.' : `Columns not checked: ${validation.schemaError ?? 'unknown'}.`;
  const badge = (
    <Badge
      appearance="tint"
      color={errors ? 'danger' : warnings ? 'warning' : 'success'}
      title={checked}
      data-testid="details-problems"
      data-errors={errors}
      data-warnings={warnings}
    >
      {text}
    </Badge>
  );
  if (validation.problems.length === 0) return badge;
  return (
    <Popover withArrow positioning="below-start">
      <PopoverTrigger disableButtonEnhancement>
        <Button appearance="transparent" size="small" aria-label={`${text}: list them`} data-testid="details-problems-open">
          {badge}
        </Button>
      </PopoverTrigger>
      <PopoverSurface className={styles.surface} data-testid="details-problems-list">
        <span className={styles.muted}>{checked}</span>
        <ProblemList problems={validation.problems} label="Problems of the edited map" />
      </PopoverSurface>
    </Popover>
  );
}
