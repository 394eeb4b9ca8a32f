import { Caption1, Dropdown, Field, Input, Option, Radio, RadioGroup, Switch, makeStyles, tokens } from '@fluentui/react-components';
import type { MapView } from '../../bindings/MapView';
import {
  ALERT_ACTIONS,
  ALERT_CLASSES,
  ALL_MAPS,
  alertActionLabel,
  alertClassLabel,
  formToRule,
  hasErrors,
  MAX_WINDOW_MINUTES,
  ruleCondition,
  ruleMapTitle,
  type RuleForm,
} from '../../lib/alerts';
import { useAlertsStyles } from './styles';
import type { RuleFormState } from './useRuleForm';

const useStyles = makeStyles({
  numbers: { display: 'grid', gridTemplateColumns: '1fr 1fr', gap: tokens.spacingHorizontalM, alignItems: 'start' },
});

/** The rule dialog's fields, with their errors, and the condition the rule fires at. */
export function RuleFields({ rule, maps }: { rule: RuleFormState; maps: readonly MapView[] }) {
  const shared = useAlertsStyles();
  const { form, errors, shown, set } = rule;
  return (
    <>
      <MapField rule={rule} maps={maps} />
      <ClassField rule={rule} />
      <NumberFields rule={rule} />
      <Field label="When it fires" validationMessage={shown('action')}>
        <RadioGroup
          value={form.action}
          onChange={(_, data) => set('action', data.value as RuleForm['action'])}
          data-testid="rule-action-group"
        >
          {ALERT_ACTIONS.map((a) => (
            <Radio key={a} value={a} label={alertActionLabel(a)} data-testid={`rule-action-${a}`} />
          ))}
        </RadioGroup>
      </Field>
      <Switch
        checked={form.enabled}
        label={form.enabled ? 'Enabled' : 'Disabled'}
        onChange={(_, data) => set('enabled', data.checked)}
        data-testid="rule-enabled-input"
      />
      <Caption1 className={shared.muted}>
        {hasErrors(errors) ? 'Fix the fields marked above.' : `Fires at ${ruleCondition(formToRule(form))}.`}
      </Caption1>
    </>
  );
}

function MapField({ rule, maps }: { rule: RuleFormState; maps: readonly MapView[] }) {
  const { form, shown, set, touch } = rule;
  return (
    <Field label="Map" validationMessage={shown('map')} hint="Watch one map, or every map.">
      <Dropdown
        value={ruleMapTitle(form.map === ALL_MAPS ? null : form.map, maps)}
        selectedOptions={[form.map]}
        onOptionSelect={(_, data) => {
          set('map', data.optionValue ?? ALL_MAPS);
          touch('map');
        }}
        data-testid="rule-map-select"
      >
        <Option value={ALL_MAPS} data-testid="rule-map-option-all">
          All maps
        </Option>
        {maps.map((m) => (
          <Option key={m.name} value={m.name} text={m.title} data-testid={`rule-map-option-${m.name}`}>
            {`${m.title} (${m.name})`}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

function ClassField({ rule }: { rule: RuleFormState }) {
  const { form, shown, set, touch } = rule;
  return (
    <Field label="Error class" required validationMessage={shown('class')}>
      <Dropdown
        placeholder="Choose an error class"
        value={form.class ? alertClassLabel(form.class) : ''}
        selectedOptions={form.class ? [form.class] : []}
        onOptionSelect={(_, data) => {
          set('class', data.optionValue ?? '');
          touch('class');
        }}
        data-testid="rule-class-select"
      >
        {ALERT_CLASSES.map((c) => (
          <Option key={c} value={c} text={alertClassLabel(c)} data-testid={`rule-class-option-${c.replace('/', '-')}`}>
            {alertClassLabel(c)}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

/** How many errors, within how many minutes. */
function NumberFields({ rule }: { rule: RuleFormState }) {
  const styles = useStyles();
  const { form, shown, set, touch } = rule;
  return (
    <div className={styles.numbers}>
      <Field label="Errors (threshold)" required validationMessage={shown('threshold')}>
        <Input
          type="number"
          min={1}
          inputMode="numeric"
          value={form.threshold}
          onChange={(_, data) => {
            set('threshold', data.value);
            touch('threshold');
          }}
          data-testid="rule-threshold"
        />
      </Field>
      <Field label="Within (minutes)" required validationMessage={shown('windowMinutes')}>
        <Input
          type="number"
          min={1}
          max={MAX_WINDOW_MINUTES}
          inputMode="numeric"
          value={form.windowMinutes}
          onChange={(_, data) => {
            set('windowMinutes', data.value);
            touch('windowMinutes');
          }}
          data-testid="rule-window"
        />
      </Field>
    </div>
  );
}
