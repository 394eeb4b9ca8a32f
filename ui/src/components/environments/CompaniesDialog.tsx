import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { LegalEntityView } from '../../bindings/LegalEntityView';
import type { LinkView } from '../../bindings/LinkView';
import { sameCompanies } from '../../lib/environments';

const useStyles = makeStyles({
  surface: { maxWidth: '560px', width: '100%' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  list: {
    display: 'flex',
    flexDirection: 'column',
    maxHeight: '320px',
    overflowY: 'auto',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    paddingBlock: tokens.spacingVerticalXS,
    paddingInline: tokens.spacingHorizontalS,
  },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** Dialog body: mounted only while open, so it reads the legal entities afresh each time. */
function CompaniesForm({ link, onSaved, onClose }: { link: LinkView; onSaved: (link: LinkView) => void; onClose: () => void }) {
  const styles = useStyles();
  const [entities, setEntities] = useState<LegalEntityView[] | null>(null);
  const [chosen, setChosen] = useState<string[]>(link.companies);
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let live = true;
    backend.legalEntities(link.financeOperations.id).then(
      (list) => {
        if (live) setEntities(list);
      },
      (e: unknown) => {
        if (live) setError(toApiError(e));
      },
    );
    return () => {
      live = false;
    };
  }, [link.financeOperations.id]);

  const toggle = (code: string, on: boolean) => {
    setChosen((list) => (on ? [...list.filter((c) => c !== code), code] : list.filter((c) => c !== code)));
  };

  const save = async () => {
    setSaving(true);
    try {
      const value = await backend.setLinkCompanies(chosen);
      onSaved(value);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  const unchanged = sameCompanies(chosen, link.companies);
  return (
    <DialogBody>
      <DialogTitle>Legal entities in the link</DialogTitle>
      <DialogContent className={styles.content}>
        <Text className={styles.muted}>
          Rows of the chosen legal entities sync between &lsquo;{link.financeOperations.name}&rsquo; and &lsquo;
          {link.dataverse.name}&rsquo;. Running maps read added legal entities with an initial sync.
        </Text>
        {error ? (
          <MessageBar intent="error" layout="multiline" data-testid="companies-error">
            <MessageBarBody>
              <MessageBarTitle>Cannot change the legal entities</MessageBarTitle>
              {error.message}
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {entities === null ? (
          error ? null : <Spinner size="small" label="Reading legal entities…" />
        ) : (
          <div className={styles.list} data-testid="companies-list">
            {entities.map((entity) => (
              <Checkbox
                key={entity.code}
                checked={chosen.includes(entity.code)}
                onChange={(_, d) => toggle(entity.code, d.checked === true)}
                label={entity.name ? `${entity.code} — ${entity.name}` : entity.code}
                data-testid={`company-option-${entity.code}`}
              />
            ))}
          </div>
        )}
        {chosen.length === 0 ? <Text className={styles.muted}>Choose at least one legal entity.</Text> : null}
      </DialogContent>
      <DialogActions>
        <Button appearance="secondary" onClick={onClose} disabled={saving}>
          Cancel
        </Button>
        <Button
          appearance="primary"
          onClick={() => void save()}
          disabled={saving || unchanged || chosen.length === 0 || entities === null}
          icon={saving ? <Spinner size="tiny" /> : undefined}
          data-testid="save-companies"
        >
          {saving ? 'Saving…' : 'Save'}
        </Button>
      </DialogActions>
    </DialogBody>
  );
}

export function CompaniesDialog({
  link,
  open,
  onClose,
  onSaved,
}: {
  link: LinkView;
  open: boolean;
  onClose: () => void;
  onSaved: (link: LinkView) => void;
}) {
  const styles = useStyles();
  return (
    <Dialog open={open} onOpenChange={(_, d) => (d.open ? undefined : onClose())}>
      <DialogSurface className={styles.surface} data-testid="companies-dialog">
        {open ? <CompaniesForm link={link} onSaved={onSaved} onClose={onClose} /> : null}
      </DialogSurface>
    </Dialog>
  );
}
