import {
  Button,
  Caption1,
  Card,
  CardHeader,
  Divider,
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
import { EnvironmentsOption } from './EnvironmentsOption';
import { LegalEntitiesOption } from './LegalEntitiesOption';
import { MapsOption } from './MapsOption';
import { useWizardStyles } from './styles';
import { WizardFooter } from './WizardFooter';

const useStyles = makeStyles({
  sections: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
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
  onLegalEntities,
  onBack,
  onReview,
}: {
  scenario: ScenarioView;
  draft: OptionsDraft;
  errors: DraftErrors;
  invalid: boolean;
  planning: boolean;
  onChange: (change: Partial<OptionsDraft>) => void;
  /** The legal entities of a finance and operations environment were read (stable). */
  onLegalEntities: (financeOperationsId: number, codes: string[]) => void;
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
        <OptionsForm scenario={scenario} draft={draft} errors={errors} onChange={onChange} onLegalEntities={onLegalEntities} />
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
  onLegalEntities,
}: {
  scenario: ScenarioView;
  draft: OptionsDraft;
  errors: DraftErrors;
  onChange: (change: Partial<OptionsDraft>) => void;
  onLegalEntities: (financeOperationsId: number, codes: string[]) => void;
}) {
  const styles = useStyles();
  const source = draft.environmentSource;
  return (
    <div className={styles.sections}>
      <section className={styles.section} data-testid="options-environments">
        <EnvironmentsOption draft={draft} errors={errors} onChange={onChange} />
      </section>
      <Divider />
      <section className={styles.form} data-testid="options-companies">
        <LegalEntitiesOption draft={draft} errors={errors} onChange={onChange} onRead={onLegalEntities} />
        <Field label="Master" hint="Which side wins for rows that exist on both sides, unless a map below says otherwise.">
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
        {usesRows(scenario, source) ? (
          <CountField
            label="Customers to generate in finance and operations"
            hint="The sandbox finance and operations environment starts with this many customers."
            error={errors.rows}
            value={draft.rows}
            onChange={(rows) => onChange({ rows })}
            testId="option-rows"
          />
        ) : null}
        {usesExistingRows(scenario, source) ? (
          <CountField
            label="Existing Dataverse accounts without a company"
            hint="Accounts the sandbox Dataverse environment holds before the setup."
            error={errors.existingRows}
            value={draft.existingRows}
            onChange={(existingRows) => onChange({ existingRows })}
            testId="option-existing-rows"
          />
        ) : null}
      </section>
      <Divider />
      <section className={styles.section} data-testid="options-maps">
        <MapsOption draft={draft} errors={errors} onChange={onChange} />
      </section>
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
