import { Button, Caption1, Dropdown, Input, Option, makeStyles, tokens } from '@fluentui/react-components';
import { Add16Regular, ArrowDown16Regular, ArrowUp16Regular, Delete16Regular } from '@fluentui/react-icons';
import type { Side } from '../../bindings/Side';
import type { TableMap } from '../../bindings/TableMap';
import type { TableSchemaView } from '../../bindings/TableSchemaView';
import { addKeyColumn, moveKeyColumn, nextKeyColumn, removeKeyColumn, setKeyColumn, sideName } from '../../lib/mapSettings';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, minWidth: '320px', flex: 1 },
  title: { fontWeight: tokens.fontWeightSemibold },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  position: { width: tokens.spacingHorizontalXL, color: tokens.colorNeutralForeground3, textAlign: 'end' },
  column: { minWidth: '220px', flex: 1 },
  muted: { color: tokens.colorNeutralForeground3 },
  unknown: { color: tokens.colorPaletteRedForeground1 },
});

/** One side's integration key: an ordered list of its table's columns. */
export function KeyColumnsEditor({
  side,
  draft,
  onChange,
  table,
}: {
  side: Side;
  draft: TableMap;
  onChange: (next: TableMap) => void;
  table: TableSchemaView | null;
}) {
  const styles = useStyles();
  const id = side === 'financeOperations' ? 'fo' : 'dv';
  const columns = draft.key[side];
  const known = table && !table.error ? table.columns.map((c) => c.name) : null;
  const tableName = side === 'financeOperations' ? draft.financeOperationsEntity : draft.dataverseTable;

  return (
    <div className={styles.root} data-testid={`key-${id}`}>
      <span className={styles.title}>
        {sideName(side)} <span className={styles.mono}>{tableName}</span>
      </span>
      {columns.length === 0 ? <Caption1 className={styles.muted}>No key column yet.</Caption1> : null}
      {columns.map((column, index) => (
        <div key={index} className={styles.row} data-testid={`key-${id}-row-${index}`}>
          <span className={styles.position}>{index + 1}.</span>
          {known ? (
            <Dropdown
              className={styles.column}
              value={column}
              selectedOptions={[column]}
              placeholder="Choose a column"
              onOptionSelect={(_, data) => {
                if (data.optionValue) onChange(setKeyColumn(draft, side, index, data.optionValue));
              }}
              aria-label={`${sideName(side)} key column ${index + 1}`}
              data-testid={`key-${id}-column-${index}`}
            >
              {[...known, ...(column && !known.includes(column) ? [column] : [])].map((name) => (
                <Option key={name} value={name} text={name}>
                  {known.includes(name) ? name : <span className={styles.unknown}>{name} (not a column of {tableName})</span>}
                </Option>
              ))}
            </Dropdown>
          ) : (
            <Input
              className={styles.column}
              value={column}
              onChange={(_, data) => onChange(setKeyColumn(draft, side, index, data.value))}
              aria-label={`${sideName(side)} key column ${index + 1}`}
              data-testid={`key-${id}-column-${index}`}
            />
          )}
          <Button
            appearance="subtle"
            icon={<ArrowUp16Regular />}
            disabled={index === 0}
            onClick={() => onChange(moveKeyColumn(draft, side, index, -1))}
            aria-label={`Move ${column || 'the column'} up`}
            data-testid={`key-${id}-up-${index}`}
          />
          <Button
            appearance="subtle"
            icon={<ArrowDown16Regular />}
            disabled={index === columns.length - 1}
            onClick={() => onChange(moveKeyColumn(draft, side, index, 1))}
            aria-label={`Move ${column || 'the column'} down`}
            data-testid={`key-${id}-down-${index}`}
          />
          <Button
            appearance="subtle"
            icon={<Delete16Regular />}
            onClick={() => onChange(removeKeyColumn(draft, side, index))}
            aria-label={`Remove ${column || 'the column'} from the key`}
            data-testid={`key-${id}-remove-${index}`}
          />
        </div>
      ))}
      <div>
        <Button
          size="small"
          icon={<Add16Regular />}
          onClick={() => onChange(addKeyColumn(draft, side, nextKeyColumn(draft, side, known ?? [])))}
          data-testid={`key-${id}-add`}
        >
          Add a key column
        </Button>
      </div>
    </div>
  );
}
