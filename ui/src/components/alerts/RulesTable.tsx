import {
  Badge,
  Button,
  Card,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { Delete16Regular, Edit16Regular } from '@fluentui/react-icons';
import type { AlertRuleView } from '../../bindings/AlertRuleView';
import type { MapView } from '../../bindings/MapView';
import { alertActionLabel, ruleCondition, ruleMapTitle } from '../../lib/alerts';
import { useAlertsStyles } from './styles';

const useStyles = makeStyles({
  table: { minWidth: '900px', tableLayout: 'auto' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, justifyContent: 'flex-end' },
  disabledRow: { color: tokens.colorNeutralForeground3 },
});

interface RuleHandlers {
  busy: boolean;
  onToggle: (rule: AlertRuleView, enabled: boolean) => void;
  onEdit: (rule: AlertRuleView) => void;
  onDelete: (rule: AlertRuleView) => void;
}

/** The alert rules, one row each with its switch, Edit and Delete; an empty row says there are none. */
export function RulesTable({ rules, maps, ...handlers }: { rules: readonly AlertRuleView[]; maps: readonly MapView[] } & RuleHandlers) {
  const styles = useStyles();
  const shared = useAlertsStyles();
  return (
    <Card className={shared.card}>
      <Table className={styles.table} aria-label="Alert rules" size="small" data-testid="rules-table">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Map</TableHeaderCell>
            <TableHeaderCell>Error class</TableHeaderCell>
            <TableHeaderCell>Fires at</TableHeaderCell>
            <TableHeaderCell>Action</TableHeaderCell>
            <TableHeaderCell>Enabled</TableHeaderCell>
            <TableHeaderCell aria-label="Actions" />
          </TableRow>
        </TableHeader>
        <TableBody>
          {rules.length === 0 ? (
            <TableRow>
              <TableCell colSpan={6}>
                <div className={shared.empty} data-testid="rules-empty">
                  No alert rules yet. Add one to be told when errors pile up.
                </div>
              </TableCell>
            </TableRow>
          ) : null}
          {rules.map((rule) => (
            <RuleRow key={rule.id ?? 'new'} rule={rule} mapTitle={ruleMapTitle(rule.map, maps)} {...handlers} />
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}

function RuleRow({ rule, mapTitle, busy, onToggle, onEdit, onDelete }: { rule: AlertRuleView; mapTitle: string } & RuleHandlers) {
  const styles = useStyles();
  const shared = useAlertsStyles();
  return (
    <TableRow className={mergeClasses(!rule.enabled && styles.disabledRow)} data-testid="rule-row" data-id={rule.id ?? undefined}>
      <TableCell data-testid="rule-map">{mapTitle}</TableCell>
      <TableCell data-testid="rule-class">
        <Badge appearance="outline" color="informative" className={shared.mono}>
          {rule.class}
        </Badge>
      </TableCell>
      <TableCell data-testid="rule-condition">{ruleCondition(rule)}</TableCell>
      <TableCell data-testid="rule-action">{alertActionLabel(rule.action)}</TableCell>
      <TableCell>
        <Switch
          checked={rule.enabled}
          disabled={busy}
          aria-label={rule.enabled ? 'Enabled' : 'Disabled'}
          onChange={(_, data) => onToggle(rule, data.checked)}
          data-testid="rule-enabled"
        />
      </TableCell>
      <TableCell>
        <div className={styles.actions}>
          <Button size="small" icon={<Edit16Regular />} onClick={() => onEdit(rule)} data-testid="rule-edit">
            Edit
          </Button>
          <Button size="small" icon={<Delete16Regular />} disabled={busy} onClick={() => onDelete(rule)} data-testid="rule-delete">
            Delete
          </Button>
        </div>
      </TableCell>
    </TableRow>
  );
}
