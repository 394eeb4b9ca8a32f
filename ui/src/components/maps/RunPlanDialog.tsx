import {
  Badge,
  Body1,
  Button,
  Caption1,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowDown16Regular, ArrowUp16Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { EnvironmentKind } from '../../bindings/EnvironmentKind';
import type { PlanStep } from '../../bindings/PlanStep';
import { stateColor, stateLabel } from '../../lib/labels';
import {
  MASTER_LABELS,
  masterEditable,
  moveStep,
  orderProblem,
  orderProblemMessage,
  planChoices,
  updateStep,
} from '../../lib/runPlan';
import { runRefusals } from '../../lib/runRefusal';
import { ErrorBar } from '../ErrorBar';
import { useNotify } from '../notify';
import { RunRefusalLine } from './RunRefusal';

const MASTERS: EnvironmentKind[] = ['financeOperations', 'dataverse'];

const useStyles = makeStyles({
  surface: { maxWidth: '1100px', width: '94vw' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  muted: { color: tokens.colorNeutralForeground3 },
  mapCell: { display: 'flex', flexDirection: 'column', paddingBlock: tokens.spacingVerticalXS },
  name: { color: tokens.colorNeutralForeground3, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  order: { width: '40px', fontVariantNumeric: 'tabular-nums' },
  moves: { display: 'flex', gap: tokens.spacingHorizontalXS },
  masterCol: { width: '250px' },
  orderCol: { width: '90px' },
  dropdown: { minWidth: '230px' },
  problemRow: { backgroundColor: tokens.colorPaletteRedBackground1 },
  refusals: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
});

/**
 * The maps chosen on the Maps page and the maps they look up, in the order they start: each
 * with an initial-sync choice and a master. Moving a map before one it looks up shows why
 * that cannot start and disables Start.
 */
export function RunPlanDialog({
  names,
  onClose,
  onOpenDetails,
}: {
  names: readonly string[];
  onClose: () => void;
  /** Closes the plan and opens a map's details (offered when a map has validation errors). */
  onOpenDetails?: (name: string) => void;
}) {
  const styles = useStyles();
  const notify = useNotify();
  const [steps, setSteps] = useState<PlanStep[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [starting, setStarting] = useState(false);

  // The plan is asked for once per set of names, not on every render of the page.
  const namesKey = names.join('\n');
  useEffect(() => {
    let live = true;
    backend.runPlan(namesKey.split('\n')).then(
      (plan) => live && setSteps(plan.steps),
      (e: unknown) => live && setError(toApiError(e)),
    );
    return () => {
      live = false;
    };
  }, [namesKey]);

  const problem = steps ? orderProblem(steps) : null;
  const refusals = error ? runRefusals(error) : [];
  const refused = new Set(refusals.map((r) => r.map));
  const titleOf = (map: string) => steps?.find((step) => step.map === map)?.title ?? map;

  const start = async () => {
    if (!steps || problem) return;
    setStarting(true);
    try {
      const plan = await backend.startPlan(planChoices(steps));
      notify.success(
        `Run plan started: ${plan.steps.length} ${plan.steps.length === 1 ? 'map' : 'maps'}`,
        `In order: ${plan.steps.map((step) => step.map).join(' → ')}. Each starts once the one before is running.`,
      );
      onClose();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setStarting(false);
    }
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface className={styles.surface} data-testid="run-plan-dialog">
        <DialogBody>
          <DialogTitle>Run plan</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1>
              Maps start one after another in this order, each once the one before is running. A map must start after
              the maps it looks up.
            </Body1>
            {error && refusals.length > 0 ? (
              <MessageBar intent="error" layout="multiline" data-testid="run-plan-refusal">
                <MessageBarBody>
                  <MessageBarTitle>The run plan cannot start: fix the validation errors first</MessageBarTitle>
                  <ul className={styles.refusals}>
                    {refusals.map((r) => (
                      <li key={r.map}>
                        <RunRefusalLine
                          label={titleOf(r.map)}
                          codes={r.codes}
                          onOpenDetails={onOpenDetails ? () => onOpenDetails(r.map) : undefined}
                          testId={`plan-refusal-${r.map}`}
                        />
                      </li>
                    ))}
                  </ul>
                </MessageBarBody>
              </MessageBar>
            ) : error ? (
              <ErrorBar title="The run plan cannot start" error={error} />
            ) : null}
            {problem ? (
              <MessageBar intent="warning" data-testid="run-plan-order-warning">
                <MessageBarBody>
                  <MessageBarTitle>This order cannot start</MessageBarTitle>
                  {orderProblemMessage(problem)}
                </MessageBarBody>
              </MessageBar>
            ) : null}
            {steps === null && !error ? <Spinner label="Working out the plan…" /> : null}
            {steps ? (
              <Table size="small" aria-label="Run plan steps" data-testid="run-plan-steps">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell className={styles.order}>#</TableHeaderCell>
                    <TableHeaderCell>Map</TableHeaderCell>
                    <TableHeaderCell>Looks up</TableHeaderCell>
                    <TableHeaderCell>State</TableHeaderCell>
                    <TableHeaderCell>Initial sync</TableHeaderCell>
                    <TableHeaderCell className={styles.masterCol}>Master</TableHeaderCell>
                    <TableHeaderCell className={styles.orderCol}>Order</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {steps.map((step, index) => (
                    <TableRow
                      key={step.map}
                      data-testid={`plan-step-${step.map}`}
                      data-index={index}
                      className={problem?.map === step.map || refused.has(step.map) ? styles.problemRow : undefined}
                    >
                      <TableCell className={styles.order}>{index + 1}</TableCell>
                      <TableCell>
                        <div className={styles.mapCell}>
                          <span>{step.title}</span>
                          <span className={styles.name}>{step.map}</span>
                        </div>
                      </TableCell>
                      <TableCell>
                        {step.dependsOn.length > 0 ? (
                          <Caption1 data-testid={`plan-depends-${step.map}`}>{step.dependsOn.join(', ')}</Caption1>
                        ) : (
                          <Caption1 className={styles.muted}>—</Caption1>
                        )}
                      </TableCell>
                      <TableCell>
                        <Badge appearance="tint" color={stateColor(step.state)}>
                          {stateLabel(step.state)}
                        </Badge>
                      </TableCell>
                      <TableCell>
                        <Checkbox
                          checked={step.initialSync}
                          onChange={(_, data) =>
                            setSteps((current) => current && updateStep(current, step.map, { initialSync: !!data.checked }))
                          }
                          label={step.initialSync ? 'Copy existing rows' : 'Live from now on'}
                          data-testid={`plan-initial-${step.map}`}
                        />
                      </TableCell>
                      <TableCell>
                        <Dropdown
                          className={styles.dropdown}
                          aria-label={`Master of ${step.title}`}
                          value={MASTER_LABELS[step.master]}
                          selectedOptions={[step.master]}
                          disabled={!masterEditable(step)}
                          title={masterEditable(step) ? undefined : 'Stop the map to change its master'}
                          onOptionSelect={(_, data) =>
                            setSteps(
                              (current) =>
                                current && updateStep(current, step.map, { master: data.optionValue as EnvironmentKind }),
                            )
                          }
                          data-testid={`plan-master-${step.map}`}
                        >
                          {MASTERS.map((master) => (
                            <Option key={master} value={master} data-testid={`plan-master-option-${master}`}>
                              {MASTER_LABELS[master]}
                            </Option>
                          ))}
                        </Dropdown>
                      </TableCell>
                      <TableCell>
                        <div className={styles.moves}>
                          <Button
                            size="small"
                            icon={<ArrowUp16Regular />}
                            disabled={index === 0}
                            onClick={() => setSteps((current) => current && moveStep(current, index, -1))}
                            aria-label={`Move ${step.title} up`}
                            title="Move up"
                            data-testid={`plan-up-${step.map}`}
                          />
                          <Button
                            size="small"
                            icon={<ArrowDown16Regular />}
                            disabled={index === steps.length - 1}
                            onClick={() => setSteps((current) => current && moveStep(current, index, 1))}
                            aria-label={`Move ${step.title} down`}
                            title="Move down"
                            data-testid={`plan-down-${step.map}`}
                          />
                        </div>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose} data-testid="run-plan-cancel">
              Cancel
            </Button>
            <Button
              appearance="primary"
              disabled={!steps || !!problem || starting}
              onClick={() => void start()}
              data-testid="run-plan-start"
            >
              {starting ? 'Starting…' : 'Start'}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
