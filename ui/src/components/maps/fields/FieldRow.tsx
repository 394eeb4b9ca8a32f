import { Badge, Button, TableCell, TableRow, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { Delete16Regular, Info16Regular, Wrench16Regular } from '@fluentui/react-icons';
import { memo } from 'react';
import type { Column } from '../../../bindings/Column';
import type { FieldMapping } from '../../../bindings/FieldMapping';
import type { MapProblemView } from '../../../bindings/MapProblemView';
import type { NullPolicy } from '../../../bindings/NullPolicy';
import type { DraftChanges } from '../../../lib/mapDraft';
import { transformSummary } from '../../../lib/transforms';
import { ColumnPicker } from './ColumnPicker';
import { DirectionPicker } from './DirectionPicker';
import { FieldProblems } from './FieldProblems';
import { NullPolicyPicker } from './NullPolicyPicker';

export type FieldStatus = DraftChanges['fields'][number];

const useStyles = makeStyles({
  editedRow: {
    backgroundColor: tokens.colorPaletteYellowBackground1,
    ':hover': { backgroundColor: tokens.colorPaletteYellowBackground2 },
  },
  errorRow: { boxShadow: `inset ${tokens.strokeWidthThicker} 0 0 ${tokens.colorPaletteRedBorder2}` },
  warningRow: { boxShadow: `inset ${tokens.strokeWidthThicker} 0 0 ${tokens.colorPaletteDarkOrangeBorder2}` },
  cell: { verticalAlign: 'top', paddingTop: tokens.spacingVerticalXS, paddingBottom: tokens.spacingVerticalXS },
  number: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXXS },
  note: { color: tokens.colorBrandForeground1 },
  status: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXXS },
  transform: { maxWidth: '100%', justifyContent: 'flex-start', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
});

/** One field mapping of the draft as an editable row; memoised, as a map can have a hundred. */
export const FieldRow = memo(function FieldRow({
  field,
  index,
  status,
  problems,
  foColumns,
  dvColumns,
  onChange,
  onNullPolicy,
  onEditTransform,
  onRemove,
}: {
  field: FieldMapping;
  index: number;
  status: FieldStatus;
  problems: readonly MapProblemView[];
  foColumns: readonly Column[];
  dvColumns: readonly Column[];
  onChange: (index: number, patch: Partial<FieldMapping>) => void;
  onNullPolicy: (index: number, policy: NullPolicy | null) => void;
  onEditTransform: (index: number) => void;
  onRemove: (index: number) => void;
}) {
  const styles = useStyles();
  const severity = problems.some((p) => p.severity === 'error') ? 'error' : problems.length > 0 ? 'warning' : 'none';
  const name = field.financeOperations || field.dataverse || `field ${index + 1}`;
  return (
    <TableRow
      className={mergeClasses(status !== 'same' && styles.editedRow, severity === 'error' && styles.errorRow, severity === 'warning' && styles.warningRow)}
      data-testid={`field-row-${index}`}
      data-edited={status === 'same' ? 'false' : 'true'}
      data-status={status}
      data-problems={severity}
    >
      <TableCell className={styles.cell}>
        <div className={styles.status}>
          <span className={styles.number} title={field.note ?? undefined}>
            {index + 1}
            {field.note ? (
              <Info16Regular className={styles.note} aria-label={`Note: ${field.note}`} data-testid={`field-note-${index}`} />
            ) : null}
          </span>
          {status === 'added' ? (
            <Badge size="small" appearance="filled" color="success" data-testid={`field-status-${index}`}>
              new
            </Badge>
          ) : null}
          {status === 'changed' ? (
            <Badge size="small" appearance="filled" color="warning" data-testid={`field-status-${index}`}>
              edited
            </Badge>
          ) : null}
        </div>
      </TableCell>
      <TableCell className={styles.cell}>
        <ColumnPicker
          columns={foColumns}
          value={field.financeOperations}
          onChange={(financeOperations) => onChange(index, { financeOperations })}
          label={`Finance and operations field of field ${index + 1}`}
          testId={`field-fo-${index}`}
        />
      </TableCell>
      <TableCell className={styles.cell}>
        <DirectionPicker
          value={field.direction}
          onChange={(direction) => onChange(index, { direction })}
          label={`Direction of ${name}`}
          testId={`field-direction-${index}`}
        />
      </TableCell>
      <TableCell className={styles.cell}>
        <ColumnPicker
          columns={dvColumns}
          value={field.dataverse}
          onChange={(dataverse) => onChange(index, { dataverse })}
          label={`Dataverse column of field ${index + 1}`}
          testId={`field-dv-${index}`}
        />
      </TableCell>
      <TableCell className={styles.cell}>
        <Button
          className={styles.transform}
          size="small"
          appearance={field.transform ? 'outline' : 'subtle'}
          icon={<Wrench16Regular />}
          title={transformSummary(field.transform)}
          onClick={() => onEditTransform(index)}
          data-testid={`field-transform-${index}`}
        >
          {transformSummary(field.transform)}
        </Button>
      </TableCell>
      <TableCell className={styles.cell}>
        <NullPolicyPicker value={field.nullPolicy} onChange={(policy) => onNullPolicy(index, policy)} label={`When ${name} is empty`} index={index} />
      </TableCell>
      <TableCell className={styles.cell}>
        <FieldProblems problems={problems} index={index} />
      </TableCell>
      <TableCell className={styles.cell}>
        <Button
          size="small"
          appearance="subtle"
          icon={<Delete16Regular />}
          aria-label={`Remove field ${index + 1} (${name})`}
          title="Remove this field"
          onClick={() => onRemove(index)}
          data-testid={`field-remove-${index}`}
        />
      </TableCell>
    </TableRow>
  );
});
