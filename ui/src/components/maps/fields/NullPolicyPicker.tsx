import { Dropdown, Input, Option, makeStyles, tokens } from '@fluentui/react-components';
import type { NullPolicy } from '../../../bindings/NullPolicy';
import { parseValueText, valueText } from '../../../lib/transforms';

const POLICIES: readonly { kind: NullPolicy['kind']; label: string; hint: string }[] = [
  { kind: 'keep', label: 'Keep null', hint: 'An empty source writes null' },
  { kind: 'useDefault', label: 'Use a default', hint: 'An empty source writes the value given' },
  { kind: 'skip', label: 'Skip', hint: 'An empty source leaves the target column as it is' },
];

const useStyles = makeStyles({
  box: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: '0' },
  picker: { minWidth: '0', width: '100%' },
});

/** What a field writes when its source is null or empty. */
export function NullPolicyPicker({
  value,
  onChange,
  label,
  index,
}: {
  value: NullPolicy | null | undefined;
  onChange: (next: NullPolicy | null) => void;
  label: string;
  index: number;
}) {
  const styles = useStyles();
  const kind = value?.kind ?? 'keep';
  const current = POLICIES.find((p) => p.kind === kind) ?? POLICIES[0];
  return (
    <div className={styles.box}>
      <Dropdown
        className={styles.picker}
        size="small"
        value={current.label}
        selectedOptions={[kind]}
        title={current.hint}
        aria-label={label}
        onOptionSelect={(_, data) => {
          if (data.optionValue === 'useDefault') onChange({ kind: 'useDefault', value: '' });
          else if (data.optionValue === 'skip') onChange({ kind: 'skip' });
          else onChange(null);
        }}
        data-testid={`field-null-${index}`}
      >
        {POLICIES.map((p) => (
          <Option key={p.kind} value={p.kind} text={p.label}>
            {p.label}
          </Option>
        ))}
      </Dropdown>
      {value?.kind === 'useDefault' ? (
        <Input
          size="small"
          aria-label={`${label}: default value`}
          placeholder="value"
          value={valueText(value.value)}
          onChange={(_, data) => onChange({ kind: 'useDefault', value: parseValueText(data.value) })}
          data-testid={`field-null-value-${index}`}
        />
      ) : null}
    </div>
  );
}
