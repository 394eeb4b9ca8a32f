import {
  Button,
  Menu,
  MenuButton,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { BuildingMultiple16Regular, Pause16Regular, Play16Regular, PlayCircle16Regular, Stop16Regular } from '@fluentui/react-icons';
import type { MapView } from '../../bindings/MapView';
import type { ResumeMode } from '../../bindings/ResumeMode';
import { canPause, canRun } from '../../lib/labels';
import { canResume, canStop, resumeOptionHint, resumeOptionLabel } from '../../lib/queue';

const RESUME_MODES: ResumeMode[] = ['catch-up', 'skip-keep', 'skip-discard'];

const useStyles = makeStyles({
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, justifyContent: 'flex-end', paddingBlock: tokens.spacingVerticalXS },
});

export interface MapRowHandlers {
  onRun: (map: MapView) => void;
  onPause: (map: MapView) => void;
  onResume: (map: MapView, mode: ResumeMode) => void;
  /** Asks before discarding the queue. */
  onDiscard: (map: MapView) => void;
  /** Asks before stopping. */
  onStop: (map: MapView) => void;
  /** Opens the bootstrap dialog; offered only for maps bootstrap can run. */
  onBootstrap?: (map: MapView) => void;
}

/**
 * Run, Pause, Resume, Stop and (for company-specific maps) Bootstrap companies of one map: icon buttons named by their tooltips, so the
 * column stays narrow and every action of every row stays in view. Unavailable ones are
 * disabledFocusable, so their tooltip still names them on hover and focus.
 */
export function MapRowActions({
  map,
  busy,
  onRun,
  onPause,
  onResume,
  onDiscard,
  onStop,
  onBootstrap,
}: { map: MapView; busy: boolean } & MapRowHandlers) {
  const styles = useStyles();
  return (
    <div className={styles.actions}>
      <Tooltip content={`Run ${map.title}`} relationship="label">
        <Button
          size="small"
          appearance="primary"
          icon={<Play16Regular />}
          disabledFocusable={busy || !canRun(map.state)}
          onClick={() => onRun(map)}
          data-testid={`run-${map.name}`}
        />
      </Tooltip>
      <Tooltip content={`Pause ${map.title}`} relationship="label">
        <Button
          size="small"
          icon={<Pause16Regular />}
          disabledFocusable={busy || !canPause(map.state)}
          onClick={() => onPause(map)}
          data-testid={`pause-${map.name}`}
        />
      </Tooltip>
      {canResume(map.state) ? <ResumeMenu map={map} busy={busy} onResume={onResume} onDiscard={onDiscard} /> : null}
      <Tooltip content={`Stop ${map.title}…`} relationship="label">
        <Button
          size="small"
          icon={<Stop16Regular />}
          disabledFocusable={busy || !canStop(map.state)}
          onClick={() => onStop(map)}
          data-testid={`stop-${map.name}`}
        />
      </Tooltip>
      {onBootstrap ? (
        <Tooltip content="Bootstrap companies…" relationship="label">
          <Button
            size="small"
            icon={<BuildingMultiple16Regular />}
            disabledFocusable={busy}
            onClick={() => onBootstrap(map)}
            data-testid={`bootstrap-${map.name}`}
          />
        </Tooltip>
      ) : null}
    </div>
  );
}

/** Resume's three ways, each with what it does to the queue; discarding asks first. */
function ResumeMenu({
  map,
  busy,
  onResume,
  onDiscard,
}: { map: MapView; busy: boolean } & Pick<MapRowHandlers, 'onResume' | 'onDiscard'>) {
  return (
    <Menu positioning="below-end">
      <MenuTrigger disableButtonEnhancement>
        <Tooltip content={`Resume ${map.title}…`} relationship="label">
          <MenuButton
            size="small"
            appearance="primary"
            icon={<PlayCircle16Regular />}
            disabledFocusable={busy}
            data-testid={`resume-${map.name}`}
          />
        </Tooltip>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          {RESUME_MODES.map((mode) => (
            <MenuItem
              key={mode}
              subText={resumeOptionHint(mode, map.queued)}
              onClick={() => (mode === 'skip-discard' ? onDiscard(map) : onResume(map, mode))}
              data-testid={`resume-${mode}-${map.name}`}
            >
              {resumeOptionLabel(mode, map.queued)}
            </MenuItem>
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
