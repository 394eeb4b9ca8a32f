import { Badge, Spinner } from '@fluentui/react-components';
import type { ApiError } from '../../bindings/ApiError';
import type { ValidationView } from '../../bindings/ValidationView';

/** What validation finds in the draft (or the saved map), as a count of errors and warnings. */
export function ValidationBadge({ validation, error }: { validation: ValidationView | null; error: ApiError | null }) {
  if (error) {
    return (
      <Badge appearance="tint" color="danger" title={error.message} data-testid="details-problems" data-errors="unknown">
        Cannot validate: {error.code}
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
  return (
    <Badge
      appearance="tint"
      color={errors ? 'danger' : warnings ? 'warning' : 'success'}
      title={validation.schemaChecked ? 'Checked against the columns of both environments' : `Columns not checked: ${validation.schemaError ?? 'unknown'}`}
      data-testid="details-problems"
      data-errors={errors}
      data-warnings={warnings}
    >
      {text}
    </Badge>
  );
}
