import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Toolbar,
  ToolbarButton,
  ToolbarDivider,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Dismiss16Regular, Flowchart16Regular, Pause16Regular, Play16Regular, Stop16Regular } from '@fluentui/react-icons';
import { useState, type ReactNode } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { BulkAction } from '../../bindings/BulkAction';
import { bulkFailures, bulkStopConfirmation, bulkSummary } from '../../lib/runPlan';
import { readableRefusal, refusedCodes } from '../../lib/runRefusal';
import { useNotify } from '../notify';
import { RunPlanDialog } from './RunPlanDialog';
import { RunRefusalLine } from './RunRefusal';

const useStyles = makeStyles({
  bar: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, flexGrow: 1 },
  toolbar: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    flexWrap: 'wrap',
    paddingInline: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  count: { color: tokens.colorNeutralForeground2, paddingInline: tokens.spacingHorizontalS },
  failures: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
});

/**
 * Run, Pause, Resume (catch up) and Stop over the selected maps, and a run plan for them.
 * Each map is acted on even when another fails; failures are listed with their reason, and
 * a map refused for validation errors with its codes and a way to its details.
 */
export function BulkToolbar({
  leading,
  selected,
  onClear,
  onDone,
  onOpenDetails,
}: {
  /** Shown first in the toolbar (the page's select-all checkbox). */
  leading?: ReactNode;
  selected: readonly string[];
  onClear: () => void;
  onDone: () => void;
  /** Opens a map's details drawer by name. */
  onOpenDetails?: (name: string) => void;
}) {
  const styles = useStyles();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const [confirmStop, setConfirmStop] = useState(false);
  const [planOpen, setPlanOpen] = useState(false);
  const [failures, setFailures] = useState<{ action: BulkAction; list: { map: string; error: ApiError }[] } | null>(
    null,
  );
  const none = selected.length === 0;

  const perform = async (action: BulkAction) => {
    setBusy(true);
    try {
      const results = await backend.bulkMaps(action, [...selected], action === 'resume' ? 'catch-up' : undefined);
      const failed = bulkFailures(results);
      setFailures(failed.length > 0 ? { action, list: failed } : null);
      if (failed.length === 0) notify.success(bulkSummary(action, results));
      else notify.error(bulkSummary(action, results), readableRefusal(failed[0].error));
    } catch (e) {
      notify.error(`Cannot ${action} the selected maps`, toApiError(e));
    } finally {
      setBusy(false);
      onDone();
    }
  };

  return (
    <div className={styles.bar}>
      <Toolbar aria-label="Selected maps" className={styles.toolbar} data-testid="bulk-toolbar">
        {leading}
        <Caption1 className={styles.count} data-testid="bulk-count">
          {none ? 'Select maps to act on several at once' : `${selected.length} selected`}
        </Caption1>
        <ToolbarDivider />
        <ToolbarButton icon={<Play16Regular />} disabled={none || busy} onClick={() => void perform('run')} data-testid="bulk-run">
          Run
        </ToolbarButton>
        <ToolbarButton icon={<Pause16Regular />} disabled={none || busy} onClick={() => void perform('pause')} data-testid="bulk-pause">
          Pause
        </ToolbarButton>
        <ToolbarButton icon={<Play16Regular />} disabled={none || busy} onClick={() => void perform('resume')} data-testid="bulk-resume">
          Resume (catch up)
        </ToolbarButton>
        <ToolbarButton icon={<Stop16Regular />} disabled={none || busy} onClick={() => setConfirmStop(true)} data-testid="bulk-stop">
          Stop
        </ToolbarButton>
        <ToolbarDivider />
        <ToolbarButton
          appearance="primary"
          icon={<Flowchart16Regular />}
          disabled={none || busy}
          onClick={() => setPlanOpen(true)}
          data-testid="bulk-run-plan"
        >
          Run plan…
        </ToolbarButton>
        {none ? null : (
          <ToolbarButton icon={<Dismiss16Regular />} onClick={onClear} data-testid="bulk-clear">
            Clear selection
          </ToolbarButton>
        )}
      </Toolbar>
      {failures ? (
        <MessageBar intent="error" layout="multiline" data-testid="bulk-failures">
          <MessageBarBody>
            <MessageBarTitle>
              {failures.list.length === 1 ? '1 map' : `${failures.list.length} maps`} could not {failures.action}
            </MessageBarTitle>
            <ul className={styles.failures}>
              {failures.list.map(({ map, error }) => {
                const codes = refusedCodes(error, map);
                return (
                  <li key={map} data-testid={`bulk-failure-${map}`} title={error.message}>
                    {codes.length > 0 ? (
                      <RunRefusalLine
                        label={map}
                        codes={codes}
                        onOpenDetails={onOpenDetails ? () => onOpenDetails(map) : undefined}
                        testId={`bulk-refusal-${map}`}
                      />
                    ) : (
                      <>
                        <strong>{map}</strong>: {error.message} <span>(code: {error.code})</span>
                      </>
                    )}
                  </li>
                );
              })}
            </ul>
          </MessageBarBody>
          <MessageBarActions
            containerAction={
              <Button
                appearance="transparent"
                icon={<Dismiss16Regular />}
                aria-label="Dismiss"
                onClick={() => setFailures(null)}
              />
            }
          />
        </MessageBar>
      ) : null}
      {confirmStop ? (
        <Dialog open onOpenChange={(_, data) => (data.open ? undefined : setConfirmStop(false))}>
          <DialogSurface data-testid="bulk-stop-dialog">
            <DialogBody>
              <DialogTitle>Stop the selected maps?</DialogTitle>
              <DialogContent>
                <Body1>{bulkStopConfirmation(selected)}</Body1>
              </DialogContent>
              <DialogActions>
                <Button appearance="secondary" onClick={() => setConfirmStop(false)} data-testid="bulk-stop-cancel">
                  Cancel
                </Button>
                <Button
                  appearance="primary"
                  onClick={() => {
                    setConfirmStop(false);
                    void perform('stop');
                  }}
                  data-testid="bulk-stop-ok"
                >
                  Stop maps
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
      {planOpen ? (
        <RunPlanDialog
          names={selected}
          onClose={() => {
            setPlanOpen(false);
            onDone();
          }}
          onOpenDetails={
            onOpenDetails
              ? (name) => {
                  setPlanOpen(false);
                  onDone();
                  onOpenDetails(name);
                }
              : undefined
          }
        />
      ) : null}
    </div>
  );
}
