import {
  Button,
  Dropdown,
  Field,
  MessageBar,
  MessageBarBody,
  Option,
  Radio,
  RadioGroup,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Add20Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { EnvironmentKind } from '../../bindings/EnvironmentKind';
import type { EnvironmentView } from '../../bindings/EnvironmentView';
import type { DraftErrors, EnvironmentSource, OptionsDraft } from '../../lib/scenarios';
import { AddEnvironmentDialog } from '../environments/AddEnvironmentDialog';

const useStyles = makeStyles({
  block: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  pair: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(240px, 1fr)) auto',
    gap: tokens.spacingHorizontalL,
    alignItems: 'end',
  },
});

/**
 * Where the run's environments come from: fresh sandbox ones, or a finance and operations
 * and a Dataverse environment already added (one can be added here); the plan's first step
 * then runs their health checks.
 */
export function EnvironmentsOption({
  draft,
  errors,
  onChange,
}: {
  draft: OptionsDraft;
  errors: DraftErrors;
  onChange: (change: Partial<OptionsDraft>) => void;
}) {
  const styles = useStyles();
  const [environments, setEnvironments] = useState<EnvironmentView[]>([]);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [adding, setAdding] = useState(false);
  const added = draft.environmentSource === 'added';

  const load = useCallback(
    () =>
      backend.environments().then(
        (list) => {
          setEnvironments(list);
          setLoadError(null);
          return list;
        },
        (e: unknown) => {
          setLoadError(toApiError(e));
          return null;
        },
      ),
    [],
  );

  useEffect(() => {
    if (added) void load();
  }, [added, load]);

  const onAdded = (environment: EnvironmentView) => {
    setAdding(false);
    void load();
    onChange(environment.kind === 'financeOperations' ? { financeOperationsId: environment.id } : { dataverseId: environment.id });
  };

  return (
    <div className={styles.block}>
      <Field label="Environments" required>
        <RadioGroup
          value={draft.environmentSource}
          onChange={(_, data) => onChange({ environmentSource: data.value as EnvironmentSource })}
          data-testid="option-environment-source"
        >
          <Radio value="sandbox" label="Sandbox (provision fresh sandbox environments)" data-testid="option-source-sandbox" />
          <Radio value="added" label="Environments already added" data-testid="option-source-added" />
        </RadioGroup>
      </Field>
      {added ? (
        <>
          {loadError ? (
            <MessageBar intent="error" layout="multiline" data-testid="option-environments-error">
              <MessageBarBody>Cannot read the environments: {loadError.message}</MessageBarBody>
            </MessageBar>
          ) : null}
          <div className={styles.pair}>
            <EnvironmentDropdown
              kind="financeOperations"
              label="Finance and operations"
              environments={environments}
              value={draft.financeOperationsId}
              error={draft.financeOperationsId === null ? errors.environments : undefined}
              onChange={(id) => onChange({ financeOperationsId: id })}
            />
            <EnvironmentDropdown
              kind="dataverse"
              label="Dataverse"
              environments={environments}
              value={draft.dataverseId}
              error={draft.dataverseId === null ? errors.environments : undefined}
              onChange={(id) => onChange({ dataverseId: id })}
            />
            <Button icon={<Add20Regular />} onClick={() => setAdding(true)} data-testid="option-add-environment">
              Add environment
            </Button>
          </div>
        </>
      ) : null}
      <AddEnvironmentDialog open={adding} onClose={() => setAdding(false)} onAdded={onAdded} />
    </div>
  );
}

function EnvironmentDropdown({
  kind,
  label,
  environments,
  value,
  error,
  onChange,
}: {
  kind: EnvironmentKind;
  label: string;
  environments: EnvironmentView[];
  value: number | null;
  error: string | undefined;
  onChange: (id: number) => void;
}) {
  const options = environments.filter((e) => e.kind === kind);
  const chosen = environments.find((e) => e.id === value);
  return (
    <Field label={label} required validationState={error ? 'error' : 'none'} validationMessage={error}>
      <Dropdown
        placeholder={options.length ? 'Choose an environment' : 'Add one first'}
        disabled={options.length === 0}
        value={chosen ? chosen.name : ''}
        selectedOptions={value === null ? [] : [String(value)]}
        onOptionSelect={(_, d) => {
          if (d.optionValue) onChange(Number(d.optionValue));
        }}
        data-testid={`option-env-${kind}`}
      >
        {options.map((e) => (
          <Option key={e.id} value={String(e.id)} text={e.name}>
            {`${e.name} — ${e.url}${e.linked ? ' (linked)' : ''}`}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}
