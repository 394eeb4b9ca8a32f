import {
  Body1,
  Button,
  Caption1,
  Checkbox,
  Dropdown,
  Field,
  Label,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Link20Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { EnvironmentView } from '../../bindings/EnvironmentView';
import type { LegalEntityView } from '../../bindings/LegalEntityView';
import type { LinkView } from '../../bindings/LinkView';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  pair: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(260px, 1fr))',
    gap: tokens.spacingHorizontalL,
  },
  entities: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))',
    alignItems: 'start',
    gap: tokens.spacingVerticalXS,
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalS,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    maxHeight: '240px',
    overflowY: 'auto',
  },
  group: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  muted: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, justifyContent: 'flex-end', alignItems: 'center' },
});

interface Loaded {
  foId: number;
  entities: LegalEntityView[] | null;
  error: ApiError | null;
}

/**
 * Chooses one finance and operations and one Dataverse environment and the legal entities
 * to sync. When a link exists it says so up front; the backend refuses a second link and
 * its message is shown as is.
 */
export function LinkForm({
  environments,
  link,
  initialFinanceOperationsId,
  initialDataverseId,
  onLinked,
}: {
  environments: EnvironmentView[];
  link: LinkView | null;
  initialFinanceOperationsId?: number;
  initialDataverseId?: number;
  onLinked: (link: LinkView) => void;
}) {
  const styles = useStyles();
  const financeOperations = environments.filter((e) => e.kind === 'financeOperations');
  const dataverse = environments.filter((e) => e.kind === 'dataverse');
  const [foId, setFoId] = useState<number | null>(initialFinanceOperationsId ?? financeOperations[0]?.id ?? null);
  const [dvId, setDvId] = useState<number | null>(initialDataverseId ?? dataverse[0]?.id ?? null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [linking, setLinking] = useState(false);

  useEffect(() => {
    if (foId === null) return;
    let live = true;
    backend.legalEntities(foId).then(
      (entities) => {
        if (!live) return;
        setLoaded({ foId, entities, error: null });
        setChosen(entities.filter((e) => e.linked).map((e) => e.code));
      },
      (e: unknown) => {
        if (live) setLoaded({ foId, entities: null, error: toApiError(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [foId]);

  const current = loaded !== null && loaded.foId === foId ? loaded : null;
  const loadingEntities = foId !== null && current === null;
  const nameOf = (id: number | null) => environments.find((e) => e.id === id)?.name ?? '';

  const toggle = (code: string, on: boolean) => {
    setChosen((list) => (on ? [...list.filter((c) => c !== code), code] : list.filter((c) => c !== code)));
  };

  const submit = async () => {
    if (foId === null || dvId === null) return;
    setLinking(true);
    try {
      const value = await backend.linkEnvironments(foId, dvId, chosen);
      setError(null);
      onLinked(value);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setLinking(false);
    }
  };

  return (
    <div className={styles.form} data-testid="link-form">
      {link ? (
        <MessageBar intent="info" layout="multiline" data-testid="link-one-only">
          <MessageBarBody>
            <MessageBarTitle>Duet keeps exactly one link</MessageBarTitle>
            &lsquo;{link.financeOperations.name}&rsquo; and &lsquo;{link.dataverse.name}&rsquo; are linked now. To link other
            environments, reset the link without relinking first.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.pair}>
        <Field label="Finance and operations environment" required>
          <Dropdown
            placeholder={financeOperations.length ? 'Choose an environment' : 'Add one first'}
            disabled={financeOperations.length === 0}
            value={nameOf(foId)}
            selectedOptions={foId === null ? [] : [String(foId)]}
            onOptionSelect={(_, d) => {
              if (d.optionValue) setFoId(Number(d.optionValue));
            }}
            data-testid="link-fo"
          >
            {financeOperations.map((e) => (
              <Option key={e.id} value={String(e.id)} text={e.name}>
                {e.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Dataverse environment" required>
          <Dropdown
            placeholder={dataverse.length ? 'Choose an environment' : 'Add one first'}
            disabled={dataverse.length === 0}
            value={nameOf(dvId)}
            selectedOptions={dvId === null ? [] : [String(dvId)]}
            onOptionSelect={(_, d) => {
              if (d.optionValue) setDvId(Number(d.optionValue));
            }}
            data-testid="link-dv"
          >
            {dataverse.map((e) => (
              <Option key={e.id} value={String(e.id)} text={e.name}>
                {e.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </div>
      <div className={styles.group} role="group" aria-labelledby="link-entities-label">
        <Label id="link-entities-label" required weight="semibold">
          Legal entities to sync
        </Label>
        {foId === null ? (
          <Body1 className={styles.muted}>Choose a finance and operations environment to list its legal entities.</Body1>
        ) : loadingEntities ? (
          <Spinner size="tiny" label="Reading legal entities…" labelPosition="after" />
        ) : current?.error ? (
          <MessageBar intent="warning" layout="multiline" data-testid="legal-entities-error">
            <MessageBarBody>{current.error.message}</MessageBarBody>
          </MessageBar>
        ) : (
          <div className={styles.entities} data-testid="legal-entities">
            {(current?.entities ?? []).map((entity) => (
              <Checkbox
                key={entity.code}
                checked={chosen.includes(entity.code)}
                onChange={(_, d) => toggle(entity.code, d.checked === true)}
                label={entity.name ? `${entity.code} — ${entity.name}` : entity.code}
                data-testid={`link-company-${entity.code}`}
              />
            ))}
          </div>
        )}
      </div>
      {error ? (
        <MessageBar intent="error" layout="multiline" data-testid="link-error">
          <MessageBarBody>
            <MessageBarTitle>The link was refused</MessageBarTitle>
            {error.message}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.actions}>
        <Caption1 className={styles.muted}>{chosen.length} selected</Caption1>
        <Button
          appearance="primary"
          icon={linking ? <Spinner size="tiny" /> : <Link20Regular />}
          disabled={linking || foId === null || dvId === null || chosen.length === 0}
          onClick={() => void submit()}
          data-testid="link-submit"
        >
          {linking ? 'Linking…' : 'Link environments'}
        </Button>
      </div>
    </div>
  );
}
