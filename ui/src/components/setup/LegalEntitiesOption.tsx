import {
  Body1,
  Caption1,
  Checkbox,
  Field,
  Input,
  Label,
  MessageBar,
  MessageBarBody,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { LegalEntityView } from '../../bindings/LegalEntityView';
import { companyCount, parseCompanies, togglePicked, type DraftErrors, type OptionsDraft } from '../../lib/scenarios';

const useStyles = makeStyles({
  group: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  header: { display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', gap: tokens.spacingHorizontalM },
  entities: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
    alignItems: 'start',
    gap: tokens.spacingVerticalXS,
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalS,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    maxHeight: '200px',
    overflowY: 'auto',
  },
  muted: { color: tokens.colorNeutralForeground3 },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/**
 * The legal entities to link: typed codes for sandbox environments (upper-cased as typed,
 * checked as the backend checks them), or for added environments the finance and
 * operations environment's own list, every one ticked at first.
 */
export function LegalEntitiesOption({
  draft,
  errors,
  onChange,
  onRead,
}: {
  draft: OptionsDraft;
  errors: DraftErrors;
  onChange: (change: Partial<OptionsDraft>) => void;
  /** The legal entities of a finance and operations environment were read (a stable function). */
  onRead: (financeOperationsId: number, codes: string[]) => void;
}) {
  if (draft.environmentSource === 'sandbox') {
    const count = parseCompanies(draft.companies).length;
    return (
      <Field
        label="Legal entities"
        required
        validationState={errors.companies ? 'error' : 'none'}
        validationMessage={
          errors.companies ?? `Company codes to link, separated by commas (for example DAT, USMF): ${companyCount(count)}.`
        }
      >
        <Input
          value={draft.companies}
          onChange={(_, data) => onChange({ companies: data.value.toUpperCase() })}
          data-testid="option-companies"
        />
      </Field>
    );
  }
  return <LegalEntityList draft={draft} error={errors.companies} onChange={onChange} onRead={onRead} />;
}

function LegalEntityList({
  draft,
  error,
  onChange,
  onRead,
}: {
  draft: OptionsDraft;
  error: string | undefined;
  onChange: (change: Partial<OptionsDraft>) => void;
  onRead: (financeOperationsId: number, codes: string[]) => void;
}) {
  const styles = useStyles();
  const foId = draft.financeOperationsId;
  const [loaded, setLoaded] = useState<{ foId: number; entities: LegalEntityView[] | null; error: ApiError | null } | null>(null);

  useEffect(() => {
    if (foId === null) return;
    let live = true;
    backend.legalEntities(foId).then(
      (entities) => {
        if (!live) return;
        setLoaded({ foId, entities, error: null });
        onRead(foId, entities.map((e) => e.code));
      },
      (e: unknown) => {
        if (live) setLoaded({ foId, entities: null, error: toApiError(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [foId, onRead]);

  const current = loaded !== null && loaded.foId === foId ? loaded : null;
  const codes = current?.entities?.map((e) => e.code) ?? [];
  return (
    <div className={styles.group} role="group" aria-labelledby="option-entities-label">
      <div className={styles.header}>
        <Label id="option-entities-label" required>
          Legal entities
        </Label>
        <Caption1 className={styles.muted} data-testid="option-companies-count">
          {companyCount(draft.picked.length)}
        </Caption1>
      </div>
      {foId === null ? (
        <Body1 className={styles.muted}>Choose a finance and operations environment to list its legal entities.</Body1>
      ) : current === null ? (
        <Spinner size="tiny" label="Reading legal entities…" labelPosition="after" />
      ) : current.error ? (
        <MessageBar intent="warning" layout="multiline" data-testid="option-legal-entities-error">
          <MessageBarBody>{current.error.message}</MessageBarBody>
        </MessageBar>
      ) : (
        <div className={styles.entities} data-testid="option-legal-entities">
          {(current.entities ?? []).map((entity) => (
            <Checkbox
              key={entity.code}
              checked={draft.picked.includes(entity.code)}
              onChange={(_, d) => onChange({ picked: togglePicked(draft.picked, codes, entity.code, d.checked === true) })}
              label={entity.name ? `${entity.code} — ${entity.name}` : entity.code}
              data-testid={`option-company-${entity.code}`}
            />
          ))}
        </div>
      )}
      <Caption1 className={error ? styles.error : styles.muted}>
        {error ?? 'Every legal entity is ticked: for environments in use, link them all unless some must stay out.'}
      </Caption1>
    </div>
  );
}
