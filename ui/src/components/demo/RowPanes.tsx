import { Badge, Caption1, Card, Input, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { DemoField } from '../../bindings/DemoField';
import type { DemoRowView } from '../../bindings/DemoRowView';
import type { Side } from '../../bindings/Side';
import { cellId, cellText } from '../../lib/demo';

const useStyles = makeStyles({
  card: { padding: tokens.spacingVerticalM, overflowX: 'auto' },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'minmax(140px, 1fr) minmax(180px, 2fr) auto minmax(140px, 1fr) minmax(180px, 2fr)',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    alignItems: 'center',
  },
  head: { fontWeight: tokens.fontWeightSemibold, paddingBlock: tokens.spacingVerticalS },
  column: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground3 },
  value: {
    minHeight: '32px',
    display: 'flex',
    alignItems: 'center',
    paddingInline: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    overflowWrap: 'anywhere',
  },
  editable: { cursor: 'text', ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover } },
  flash: {
    animationName: {
      from: { backgroundColor: tokens.colorPaletteYellowBackground3 },
      to: { backgroundColor: 'transparent' },
    },
    animationDuration: '2s',
    animationTimingFunction: 'ease-out',
  },
  direction: { textAlign: 'center', fontFamily: tokens.fontFamilyMonospace },
});

function ValueCell({
  field,
  side,
  flashing,
  onSave,
}: {
  field: DemoField;
  side: Side;
  flashing: boolean;
  onSave: (text: string) => void;
}) {
  const styles = useStyles();
  const column = side === 'financeOperations' ? field.financeOperations : field.dataverse;
  const value = side === 'financeOperations' ? field.financeOperationsValue : field.dataverseValue;
  const [draft, setDraft] = useState<string | null>(null);
  if (!column) return <div />;
  const editable = !field.readOnly;
  const testId = `demo-cell-${side}-${column}`;
  if (draft !== null) {
    return (
      <Input
        autoFocus
        value={draft}
        aria-label={`${column} on ${side === 'financeOperations' ? 'finance and operations' : 'Dataverse'}`}
        data-testid={`${testId}-input`}
        onChange={(_, data) => setDraft(data.value)}
        onBlur={() => setDraft(null)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            onSave(draft);
            setDraft(null);
          } else if (event.key === 'Escape') {
            setDraft(null);
          }
        }}
      />
    );
  }
  return (
    <div
      // The key restarts the animation each time the value changes.
      key={`${cellText(value)}-${String(flashing)}`}
      className={mergeClasses(styles.value, editable && styles.editable, flashing && styles.flash)}
      data-testid={testId}
      data-flash={flashing ? 'true' : 'false'}
      role={editable ? 'button' : undefined}
      tabIndex={editable ? 0 : undefined}
      title={editable ? 'Click to edit; Enter saves, Escape cancels' : 'Key or lookup: not edited here'}
      onClick={() => editable && setDraft(typeof value === 'string' ? value : value === null ? '' : JSON.stringify(value))}
      onKeyDown={(event) => {
        if (editable && event.key === 'Enter') setDraft(typeof value === 'string' ? value : '');
      }}
    >
      {cellText(value)}
    </div>
  );
}

/** The row as finance and operations holds it (left) and as Dataverse holds it (right), a field mapping per line. */
export function RowPanes({
  row,
  flash,
  onSave,
}: {
  row: DemoRowView;
  flash: Set<string>;
  onSave: (side: Side, line: number, text: string) => void;
}) {
  const styles = useStyles();
  return (
    <Card className={styles.card} data-testid="demo-row">
      <div className={styles.grid}>
        <Text className={styles.head}>Finance and operations</Text>
        <span>
          {!row.onFinanceOperations ? <Badge color="danger">not there</Badge> : null}
        </span>
        <span />
        <Text className={styles.head}>Dataverse</Text>
        <span>{!row.onDataverse ? <Badge color="danger">not there</Badge> : null}</span>
        {row.fields.map((field, line) => (
          <FieldLine key={line} field={field} flash={flash} onSave={(side, text) => onSave(side, line, text)} />
        ))}
      </div>
    </Card>
  );
}

function FieldLine({
  field,
  flash,
  onSave,
}: {
  field: DemoField;
  flash: Set<string>;
  onSave: (side: Side, text: string) => void;
}) {
  const styles = useStyles();
  return (
    <>
      <Caption1 className={styles.column}>{field.financeOperations ?? '—'}</Caption1>
      <ValueCell
        field={field}
        side="financeOperations"
        flashing={flash.has(cellId(field, 'financeOperations'))}
        onSave={(text) => onSave('financeOperations', text)}
      />
      <span className={styles.direction}>{field.direction}</span>
      <Caption1 className={styles.column}>{field.dataverse ?? '—'}</Caption1>
      <ValueCell
        field={field}
        side="dataverse"
        flashing={flash.has(cellId(field, 'dataverse'))}
        onSave={(text) => onSave('dataverse', text)}
      />
    </>
  );
}
