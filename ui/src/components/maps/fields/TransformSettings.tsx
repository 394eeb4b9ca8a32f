import { Body1, Dropdown, Field, Input, Option, SpinButton, Switch, makeStyles, tokens } from '@fluentui/react-components';
import type { DateKind } from '../../../bindings/DateKind';
import type { Rounding } from '../../../bindings/Rounding';
import type { Side } from '../../../bindings/Side';
import type { SplitRule } from '../../../bindings/SplitRule';
import type { TextCase } from '../../../bindings/TextCase';
import type { Transform } from '../../../bindings/Transform';
import { parseValueText, valueText } from '../../../lib/transforms';
import { ErrorBar } from '../../ErrorBar';
import { useMapNames } from './useMapNames';

const SIDES: readonly [Side, string][] = [
  ['financeOperations', 'Finance and operations'],
  ['dataverse', 'Dataverse'],
];
const SPLITS: readonly [SplitRule | '', string][] = [
  ['', 'No split (one-way)'],
  ['fromLeft', 'Cut at the first separator'],
  ['fromRight', 'Cut at the last separator'],
];
const CASES: readonly [TextCase, string][] = [
  ['upper', 'UPPER CASE'],
  ['lower', 'lower case'],
  ['title', 'Title Case'],
];
const ROUNDINGS: readonly [Rounding, string][] = [
  ['halfAwayFromZero', 'Half away from zero'],
  ['halfEven', 'Half to even'],
  ['down', 'Down'],
  ['up', 'Up'],
];
const DATE_KINDS: readonly [DateKind, string][] = [
  ['date', 'Date'],
  ['dateTime', 'Date and time'],
];

const useStyles = makeStyles({
  box: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** A dropdown over a fixed list of [value, label] choices. */
function Choice<T extends string>({
  label,
  value,
  choices,
  onChange,
  testId,
}: {
  label: string;
  value: T;
  choices: readonly [T, string][];
  onChange: (next: T) => void;
  testId: string;
}) {
  return (
    <Field label={label}>
      <Dropdown
        value={choices.find(([v]) => v === value)?.[1] ?? value}
        selectedOptions={[value]}
        onOptionSelect={(_, data) => {
          const chosen = choices.find(([v]) => v === data.optionValue);
          if (chosen) onChange(chosen[0]);
        }}
        data-testid={testId}
      >
        {choices.map(([v, text]) => (
          <Option key={v || 'none'} value={v} text={text}>
            {text}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

/** The settings of every transform kind but the value map (which has its own editor). */
export function TransformSettings({ transform, onChange }: { transform: Transform; onChange: (next: Transform) => void }) {
  const styles = useStyles();
  switch (transform.kind) {
    case 'default':
    case 'constant':
      return (
        <Field
          label={transform.kind === 'default' ? 'Default value' : 'Constant value'}
          hint={transform.kind === 'default' ? 'Written when a row is created and the source gives no value.' : 'Always written, whatever the source holds.'}
        >
          <Input
            value={valueText(transform.value)}
            onChange={(_, data) => onChange({ ...transform, value: parseValueText(data.value) })}
            data-testid="transform-value"
          />
        </Field>
      );
    case 'concatenate':
      return (
        <div className={styles.box}>
          <div className={styles.row}>
            <Choice label="Fields are read from" value={transform.from} choices={SIDES} onChange={(from) => onChange({ ...transform, from })} testId="transform-from" />
            <Field label="Separator">
              <Input value={transform.separator} onChange={(_, data) => onChange({ ...transform, separator: data.value })} data-testid="transform-separator" />
            </Field>
            <Choice
              label="Back the other way"
              value={transform.split ?? ''}
              choices={SPLITS}
              onChange={(split) => onChange({ ...transform, split: split || null })}
              testId="transform-split"
            />
          </div>
          <Field label="Fields, in order" hint="Column names separated by commas.">
            <Input
              value={transform.fields.join(', ')}
              onChange={(_, data) => onChange({ ...transform, fields: data.value.split(',').map((f) => f.trim()).filter(Boolean) })}
              data-testid="transform-fields"
            />
          </Field>
        </div>
      );
    case 'case':
      return <Choice label="Letter case" value={transform.case} choices={CASES} onChange={(c) => onChange({ ...transform, case: c })} testId="transform-case" />;
    case 'trim':
      return <Body1 className={styles.muted}>Leading and trailing spaces are removed; there is nothing to set.</Body1>;
    case 'numberFormat':
      return (
        <div className={styles.row}>
          <Field label="Decimals">
            <SpinButton
              min={0}
              max={10}
              value={transform.decimals}
              onChange={(_, data) => {
                const next = data.value ?? Number(data.displayValue);
                if (Number.isFinite(next)) onChange({ ...transform, decimals: Math.min(10, Math.max(0, Math.round(next))) });
              }}
              data-testid="transform-decimals"
            />
          </Field>
          <Choice label="Rounding" value={transform.rounding} choices={ROUNDINGS} onChange={(rounding) => onChange({ ...transform, rounding })} testId="transform-rounding" />
        </div>
      );
    case 'dateFormat':
      return (
        <div className={styles.row}>
          <Choice
            label="Finance and operations holds"
            value={transform.financeOperations}
            choices={DATE_KINDS}
            onChange={(financeOperations) => onChange({ ...transform, financeOperations })}
            testId="transform-fo-kind"
          />
          <Choice label="Dataverse holds" value={transform.dataverse} choices={DATE_KINDS} onChange={(dataverse) => onChange({ ...transform, dataverse })} testId="transform-dv-kind" />
          <Field label="Null date" hint="Finance and operations writes 1900-01-01 for no date; read it as empty.">
            <Switch checked={!!transform.nullDate} onChange={(_, data) => onChange({ ...transform, nullDate: data.checked })} data-testid="transform-null-date" />
          </Field>
        </div>
      );
    case 'lookupByName':
      return <LookupByName transform={transform} onChange={onChange} />;
    case 'valueMap':
      return null;
  }
}

function LookupByName({
  transform,
  onChange,
}: {
  transform: Extract<Transform, { kind: 'lookupByName' }>;
  onChange: (next: Transform) => void;
}) {
  const styles = useStyles();
  const { names, error, retry } = useMapNames();
  return (
    <div className={styles.box}>
      {error ? <ErrorBar title="Cannot list the stored maps" error={error} onRetry={retry} /> : null}
      <div className={styles.row}>
        <Field label="Target map" hint="The stored map whose rows are found by name.">
          <Dropdown
            value={transform.targetMap}
            selectedOptions={[transform.targetMap]}
            placeholder={names ? 'Pick a map' : 'Loading maps…'}
            onOptionSelect={(_, data) => onChange({ ...transform, targetMap: data.optionValue ?? '' })}
            data-testid="transform-target-map"
          >
            {(names ?? []).map((name) => (
              <Option key={name} value={name}>
                {name}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Name column" hint="The target's column that holds the name.">
          <Input value={transform.nameColumn} onChange={(_, data) => onChange({ ...transform, nameColumn: data.value })} data-testid="transform-name-column" />
        </Field>
      </div>
    </div>
  );
}
