import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { AlertRuleView } from '../../bindings/AlertRuleView';
import type { MapView } from '../../bindings/MapView';
import type { RuleForm } from '../../lib/alerts';
import { RuleFields } from './RuleFields';
import { useRuleForm } from './useRuleForm';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** Adds a rule or edits one; mount it only while open, keyed by the rule's id. */
export function RuleDialog({
  initial,
  maps,
  onCancel,
  onSaved,
}: {
  initial: RuleForm;
  maps: readonly MapView[];
  onCancel: () => void;
  onSaved: (rule: AlertRuleView, isNew: boolean) => void;
}) {
  const styles = useStyles();
  const rule = useRuleForm(initial, maps, onSaved);
  const { isNew, saving, serverError } = rule;
  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onCancel())}>
      <DialogSurface data-testid="rule-dialog">
        <form onSubmit={rule.submit} noValidate>
          <DialogBody>
            <DialogTitle>{isNew ? 'Add alert rule' : 'Edit alert rule'}</DialogTitle>
            <DialogContent className={styles.form}>
              {serverError ? (
                <MessageBar intent="error" layout="multiline" data-testid="rule-server-error">
                  <MessageBarBody>
                    <MessageBarTitle>Cannot save the rule</MessageBarTitle>
                    {serverError.message} <span>(code: {serverError.code})</span>
                  </MessageBarBody>
                </MessageBar>
              ) : null}
              <RuleFields rule={rule} maps={maps} />
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" type="button" onClick={onCancel} data-testid="rule-cancel">
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={saving} data-testid="rule-save">
                {saving ? 'Saving…' : isNew ? 'Add rule' : 'Save rule'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
