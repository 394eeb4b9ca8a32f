import { Body1, Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import type { AlertRuleView } from '../../bindings/AlertRuleView';
import type { MapView } from '../../bindings/MapView';
import { alertActionLabel, alertClassLabel, ruleCondition, ruleMapTitle } from '../../lib/alerts';

/** Asks before a rule is deleted, naming what it watches. */
export function DeleteRuleDialog({
  rule,
  maps,
  busy,
  onCancel,
  onDelete,
}: {
  rule: AlertRuleView;
  maps: readonly MapView[];
  busy: boolean;
  onCancel: () => void;
  onDelete: (rule: AlertRuleView) => void;
}) {
  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onCancel())}>
      <DialogSurface data-testid="delete-rule-dialog">
        <DialogBody>
          <DialogTitle>Delete this alert rule?</DialogTitle>
          <DialogContent>
            <Body1>
              {alertClassLabel(rule.class)} on {ruleMapTitle(rule.map, maps)}, {ruleCondition(rule)} (
              {alertActionLabel(rule.action).toLowerCase()}). It stops watching at once; this cannot be undone.
            </Body1>
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onCancel} data-testid="confirm-cancel">
              Cancel
            </Button>
            <Button appearance="primary" disabled={busy} onClick={() => onDelete(rule)} data-testid="confirm-ok">
              Delete rule
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
