import {
  Body1,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle2,
  Tag,
  TagGroup,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowReset20Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { ResetPlan } from '../../bindings/ResetPlan';
import { confirmationMatches } from '../../lib/environments';

const useStyles = makeStyles({
  surface: { maxWidth: '680px', width: '100%' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  deletes: { color: tokens.colorPaletteRedForeground1 },
  muted: { color: tokens.colorNeutralForeground3 },
  confirmation: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold },
  danger: {
    backgroundColor: tokens.colorPaletteRedBackground3,
    color: tokens.colorNeutralForegroundOnBrand,
    ':hover': { backgroundColor: tokens.colorPaletteRedForeground1, color: tokens.colorNeutralForegroundOnBrand },
    ':hover:active': { backgroundColor: tokens.colorPaletteRedForeground1, color: tokens.colorNeutralForegroundOnBrand },
  },
});

function ResetForm({ onDone, onClose }: { onDone: (plan: ResetPlan, relinked: boolean) => void; onClose: () => void }) {
  const styles = useStyles();
  const [plan, setPlan] = useState<ResetPlan | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [relink, setRelink] = useState(true);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [resetting, setResetting] = useState(false);

  useEffect(() => {
    let live = true;
    backend.resetPlan().then(
      (value) => {
        if (live) setPlan(value);
      },
      (e: unknown) => {
        if (live) setLoadError(toApiError(e));
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const matches = plan !== null && confirmationMatches(typed, plan.confirmation);

  const reset = async () => {
    if (!plan) return;
    setResetting(true);
    try {
      const done = await backend.resetLink(typed.trim(), relink);
      onDone(done, relink);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setResetting(false);
    }
  };

  return (
    <DialogBody>
      <DialogTitle>Reset the link</DialogTitle>
      <DialogContent className={styles.content}>
        {loadError ? (
          <MessageBar intent="error" layout="multiline" data-testid="reset-plan-error">
            <MessageBarBody>
              <MessageBarTitle>Cannot plan the reset</MessageBarTitle>
              {loadError.message}
            </MessageBarBody>
          </MessageBar>
        ) : plan === null ? (
          <Spinner size="small" label="Working out what a reset changes…" />
        ) : (
          <>
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>
                Use this after &lsquo;{plan.financeOperations}&rsquo; or &lsquo;{plan.dataverse}&rsquo; was refreshed from
                another environment: Duet forgets where it was and starts over with an initial sync.
              </MessageBarBody>
            </MessageBar>
            <div className={styles.section}>
              <Subtitle2>Legal entities</Subtitle2>
              <TagGroup aria-label="Legal entities in the link">
                {plan.companies.map((c) => (
                  <Tag key={c} value={c} size="small" appearance="outline">
                    {c}
                  </Tag>
                ))}
              </TagGroup>
            </div>
            <div className={styles.section}>
              <Subtitle2>Deleted</Subtitle2>
              <ul className={`${styles.list} ${styles.deletes}`} data-testid="reset-deletes">
                {plan.deletes.map((line) => (
                  <li key={line}>
                    <Body1>{line}</Body1>
                  </li>
                ))}
              </ul>
            </div>
            <div className={styles.section}>
              <Subtitle2>Kept</Subtitle2>
              <ul className={styles.list} data-testid="reset-keeps">
                {plan.keeps.map((line) => (
                  <li key={line}>
                    <Body1>{line}</Body1>
                  </li>
                ))}
              </ul>
            </div>
            <div className={styles.section}>
              <Subtitle2>Maps to reactivate</Subtitle2>
              {plan.mapsToReactivate.length ? (
                <TagGroup aria-label="Maps to reactivate" data-testid="reset-maps">
                  {plan.mapsToReactivate.map((name) => (
                    <Tag key={name} value={name} size="small" appearance="brand" data-testid={`reset-map-${name}`}>
                      {name}
                    </Tag>
                  ))}
                </TagGroup>
              ) : (
                <Body1 className={styles.muted} data-testid="reset-maps">
                  No maps are running.
                </Body1>
              )}
            </div>
            <Checkbox
              checked={relink}
              onChange={(_, d) => setRelink(d.checked === true)}
              label="Relink the same environments and reactivate these maps"
              data-testid="reset-relink"
            />
            <Field
              label={
                <>
                  Type <span className={styles.confirmation}>{plan.confirmation}</span> to confirm
                </>
              }
              required
              validationState={typed && !matches ? 'warning' : 'none'}
              validationMessage={typed && !matches ? 'This does not match the environment name yet.' : undefined}
            >
              <Input
                value={typed}
                onChange={(_, d) => setTyped(d.value)}
                autoComplete="off"
                data-testid="reset-confirm"
              />
            </Field>
            {error ? (
              <MessageBar intent="error" layout="multiline" data-testid="reset-error">
                <MessageBarBody>
                  <MessageBarTitle>The reset did not finish</MessageBarTitle>
                  {error.message}
                </MessageBarBody>
              </MessageBar>
            ) : null}
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button appearance="secondary" onClick={onClose} disabled={resetting}>
          Cancel
        </Button>
        <Button
          appearance="primary"
          className={matches && !resetting ? styles.danger : undefined}
          icon={resetting ? <Spinner size="tiny" /> : <ArrowReset20Regular />}
          disabled={!matches || resetting}
          onClick={() => void reset()}
          data-testid="reset-submit"
        >
          {resetting ? 'Resetting…' : relink ? 'Reset and relink' : 'Reset link'}
        </Button>
      </DialogActions>
    </DialogBody>
  );
}

/** Shows what a reset deletes and keeps, and resets only once the admin typed the confirmation name. */
export function ResetLinkDialog({
  open,
  onClose,
  onDone,
}: {
  open: boolean;
  onClose: () => void;
  onDone: (plan: ResetPlan, relinked: boolean) => void;
}) {
  const styles = useStyles();
  return (
    <Dialog open={open} onOpenChange={(_, d) => (d.open ? undefined : onClose())}>
      <DialogSurface className={styles.surface} data-testid="reset-dialog">
        {open ? <ResetForm onDone={onDone} onClose={onClose} /> : null}
      </DialogSurface>
    </Dialog>
  );
}
