import { Dropdown, Option, makeStyles, tokens } from '@fluentui/react-components';
import type { FieldDirection } from '../../../bindings/FieldDirection';
import { FIELD_DIRECTIONS, directionSymbol, directionText } from '../../../lib/mapDraft';

const useStyles = makeStyles({
  picker: { minWidth: '0', width: '100%' },
  value: { whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' },
  symbol: {
    fontFamily: tokens.fontFamilyMonospace,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorBrandForeground1,
    display: 'inline-block',
    minWidth: tokens.spacingHorizontalXXL,
  },
});

/** A field's direction as one of the six dual-write symbols, each with its meaning. */
export function DirectionPicker({
  value,
  onChange,
  label,
  testId,
}: {
  value: FieldDirection;
  onChange: (next: FieldDirection) => void;
  label: string;
  testId: string;
}) {
  const styles = useStyles();
  return (
    <Dropdown
      className={styles.picker}
      button={{ className: styles.value }}
      size="small"
      value={`${directionSymbol(value)}  ${directionText(value)}`}
      selectedOptions={[value]}
      onOptionSelect={(_, data) => {
        const chosen = FIELD_DIRECTIONS.find((d) => d.name === data.optionValue);
        if (chosen) onChange(chosen.name);
      }}
      aria-label={label}
      title={directionText(value)}
      data-testid={testId}
    >
      {FIELD_DIRECTIONS.map((d) => (
        <Option key={d.name} value={d.name} text={`${d.symbol}  ${d.label}`} data-testid={`direction-option-${d.name}`}>
          <span className={styles.symbol}>{d.symbol}</span> {d.label}
        </Option>
      ))}
    </Dropdown>
  );
}
