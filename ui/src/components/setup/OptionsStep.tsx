import {
  Button,
  Caption1,
  Card,
  CardHeader,
  Checkbox,
  Field,
  Input,
  Radio,
  RadioGroup,
  Spinner,
  Subtitle1,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowRight16Regular } from '@fluentui/react-icons';
import type { ScenarioView } from '../../bindings/ScenarioView';
import { usesExistingRows, usesRows, type DraftErrors, type OptionsDraft } from '../../lib/scenarios';
import { useWizardStyles } from './styles';
import { WizardFooter } from './WizardFooter';

const useStyles = makeStyles({
  form: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(280px, 1fr))',
    gap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalL,
  },
});

/** The second step: the options of the chosen scenario, checked as they are typed. */
export function OptionsStep({
  scenario,
  draft,
  errors,
  invalid,
  planning,
  onChange,
  onBack,
  onReview,
}: {
  scenario: ScenarioView;
  draft: OptionsDraft;
  errors: DraftErrors;
  invalid: boolean;
  planning: boolean;
  onChange: (change: Partial<OptionsDraft>) => void;
  onBack: () => void;
  onReview: () => void;
}) {
  const shared = useWizardStyles();
  return (
    <>
      <Card className={shared.section} data-testid="options-card">
        <CardHeader
          header={<Subtitle1>Options</Subtitle1>}
          description={<Caption1 className={shared.muted}>{scenario.title}</Caption1>}
        />
        <OptionsForm scenario={scenario} draft={draft} errors={errors} onChange={onChange} />
      </Card>
      <WizardFooter onBack={onBack}>
        <Button
          appearance="primary"
          icon={planning ? <Spinner size="tiny" /> : <ArrowRight16Regular />}
          iconPosition="after"
          disabled={invalid || planning}
          onClick={onReview}
          data-testid="wizard-review"
        >
          {planning ? 'Planning…' : 'Next: review plan'}
        </Button>
      </WizardFooter>
    </>
  );
}

function OptionsForm({
  scenario,
  draft,
  errors,
  onChange,
}: {
  scenario: ScenarioView;
  draft: OptionsDraft;
  errors: DraftErrors;
  onChange: (change: Partial<OptionsDraft>) => void;
}) {
  const styles = useStyles();
  return (
    <div className={styles.form}>
      <Field
        label="Legal entities"
        required
        validationState={errors.companies ? 'error' : 'none'}
        validationMessage={errors.companies ?? 'Company codes to link, separated by commas (for example DAT, USMF).'}
      >
        <Input
          value={draft.companies}
          onChange={(_, data) => onChange({ companies: data.value })}
          data-testid="option-companies"
        />
      </Field>
      <Field label="Master" hint="Which side wins for rows that exist on both sides.">
        <RadioGroup
          layout="horizontal"
          value={draft.master}
          onChange={(_, data) => onChange({ master: data.value as OptionsDraft['master'] })}
          data-testid="option-master"
        >
          <Radio value="financeOperations" label="Finance and operations" />
          <Radio value="dataverse" label="Dataverse" />
        </RadioGroup>
      </Field>
      {usesRows(scenario) ? (
        <CountField
          label="Customers to generate in finance and operations"
          hint="The new finance and operations environment starts with this many customers."
          error={errors.rows}
          value={draft.rows}
          onChange={(rows) => onChange({ rows })}
          testId="option-rows"
        />
      ) : null}
      {usesExistingRows(scenario) ? (
        <CountField
          label="Existing Dataverse accounts without a company"
          hint="Accounts the existing Dataverse environment holds before the setup."
          error={errors.existingRows}
          value={draft.existingRows}
          onChange={(existingRows) => onChange({ existingRows })}
          testId="option-existing-rows"
        />
      ) : null}
      <Field label="Maps" hint="The setup scenarios sync customers (CustomersV3 ↔ account).">
        <Checkbox checked disabled label="Customers" />
      </Field>
    </div>
  );
}

/** A required count of rows: its problem when there is one, else what it is for. */
function CountField({
  label,
  hint,
  error,
  value,
  onChange,
  testId,
}: {
  label: string;
  hint: string;
  error: string | undefined;
  value: string;
  onChange: (value: string) => void;
  testId: string;
}) {
  return (
    <Field label={label} required validationState={error ? 'error' : 'none'} validationMessage={error ?? hint}>
      <Input type="number" min={1} value={value} onChange={(_, data) => onChange(data.value)} data-testid={testId} />
    </Field>
  );
}
