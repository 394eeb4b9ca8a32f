import { Badge, Caption1, Combobox, Option, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { Column } from '../../../bindings/Column';
import { matchColumns } from '../../../lib/mapDraft';

const SHOWN = 60;

const useStyles = makeStyles({
  picker: { minWidth: '0', width: '100%' },
  option: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  name: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  type: { color: tokens.colorNeutralForeground3 },
  more: { color: tokens.colorNeutralForeground3, padding: tokens.spacingHorizontalS },
});

/**
 * One side's column, picked from the live schema by typing part of its name; any text is
 * accepted too (a lookup path such as `msdyn_customergroupid.msdyn_groupid`, or a column the
 * schema does not list yet).
 */
export function ColumnPicker({
  columns,
  value,
  onChange,
  label,
  testId,
}: {
  columns: readonly Column[];
  value: string | null;
  onChange: (next: string | null) => void;
  label: string;
  testId: string;
}) {
  const styles = useStyles();
  // What the admin is typing; null while the picker shows the field's column.
  const [typed, setTyped] = useState<string | null>(null);
  const { shown, more } = matchColumns(columns, typed ?? '', SHOWN);

  const commit = (text: string | null) => {
    setTyped(null);
    const next = text?.trim() || null;
    if (next !== value) onChange(next);
  };

  return (
    <Combobox
      className={styles.picker}
      size="small"
      freeform
      placeholder="none"
      aria-label={label}
      value={typed ?? value ?? ''}
      selectedOptions={value ? [value] : []}
      onChange={(e) => setTyped(e.target.value)}
      onOptionSelect={(_, data) => {
        // Typing clears the selection (no option value); only a picked column is committed.
        if (data.optionValue !== undefined) commit(data.optionValue);
      }}
      onBlur={() => {
        if (typed !== null) commit(typed);
      }}
      onKeyDown={(e) => {
        // With matches listed, Enter picks the active one; with none, it keeps the text typed.
        if (e.key === 'Enter' && typed !== null && shown.length === 0) commit(typed);
        if (e.key === 'Escape') setTyped(null);
      }}
      data-testid={testId}
    >
      {shown.map((column) => (
        <Option key={column.name} value={column.name} text={column.name} data-testid={`column-option-${column.name}`}>
          <span className={styles.option}>
            <span className={styles.name}>{column.name}</span>
            <Caption1 className={styles.type}>{column.type}</Caption1>
            {column.mandatory ? (
              <Badge size="small" appearance="tint" color="important">
                mandatory
              </Badge>
            ) : null}
            {column.readOnly ? (
              <Badge size="small" appearance="tint" color="subtle">
                read-only
              </Badge>
            ) : null}
          </span>
        </Option>
      ))}
      {more > 0 ? <Caption1 className={styles.more}>{more} more: type to narrow the list</Caption1> : null}
      {shown.length === 0 && typed ? <Caption1 className={styles.more}>No column matches; the text is kept as typed (a lookup path, for example).</Caption1> : null}
    </Combobox>
  );
}
