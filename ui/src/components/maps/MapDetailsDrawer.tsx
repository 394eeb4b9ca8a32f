import {
  Badge,
  Button,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  OverlayDrawer,
  Spinner,
  Tab,
  TabList,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowUndo16Regular, Dismiss24Regular, Save16Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { MapProblemView } from '../../bindings/MapProblemView';
import type { MapVersionView } from '../../bindings/MapVersionView';
import type { MapView } from '../../bindings/MapView';
import type { SavedMap } from '../../bindings/SavedMap';
import type { TableMap } from '../../bindings/TableMap';
import { asTableMap, draftChanges, isDirty } from '../../lib/mapDraft';
import { ErrorBar } from '../ErrorBar';
import { useNotify } from '../notify';
import { problemPlace } from '../../lib/validation';
import { FieldsTab } from './FieldsTab';
import { FiltersTab } from './FiltersTab';
import { PreviewTab } from './PreviewTab';
import { ProblemList } from './ProblemList';
import { RerunActions } from './RerunActions';
import { SaveDraftDialog } from './SaveDraftDialog';
import { SettingsTab } from './SettingsTab';
import { useMapSchema } from './useMapSchema';
import { useValidation } from './useValidation';
import { ValidationBadge } from './ValidationBadge';
import { ValidationPanel } from './ValidationPanel';
import { VersionsTab } from './VersionsTab';
import type { MapPanelProps } from './mapPanel';

const RELOAD_AFTER_EVENT_MS = 1_000;

export type DetailsTab = 'fields' | 'filters' | 'settings' | 'validation' | 'preview' | 'versions';

/** The tab where a problem is fixed. */
function tabOf(problem: MapProblemView): DetailsTab {
  const place = problemPlace(problem);
  return place === 'map' ? 'validation' : place;
}

const useStyles = makeStyles({
  drawer: { width: 'min(1180px, 100vw)' },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, paddingBottom: tokens.spacingVerticalXL },
  summary: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  spacer: { flexGrow: 1 },
  name: { color: tokens.colorNeutralForeground3, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

/**
 * One map's definition, history and preview. The draft (the edited copy of the newest
 * version) lives here so every tab shares it. Mount it only while open (keyed by map name).
 */
export function MapDetailsDrawer({
  map,
  initialTab = 'fields',
  onClose,
}: {
  map: MapView;
  initialTab?: DetailsTab;
  onClose: () => void;
}) {
  const styles = useStyles();
  const notify = useNotify();
  const name = map.name;
  const [tab, setTab] = useState<DetailsTab>(initialTab);
  const [versions, setVersions] = useState<MapVersionView[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // A draft is made against one version; once a newer one is saved (here or elsewhere) it ends.
  const [edit, setEdit] = useState<{ base: number; draft: TableMap } | null>(null);
  const [saving, setSaving] = useState(false);
  const [savedProblems, setSavedProblems] = useState<{ version: number; problems: MapProblemView[] } | null>(null);

  const load = useCallback(() => {
    return backend.mapVersions(name).then(
      (value) => {
        setVersions(value);
        setError(null);
      },
      (e: unknown) => setError(toApiError(e)),
    );
  }, [name]);

  // A running map announces itself often (every chunk of an initial sync, every capture);
  // only its definition matters here, so those announcements are gathered into one reload.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = backend.subscribe((event) => {
      if (event.type !== 'mapChanged' || event.map.name !== name || timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        void load();
      }, RELOAD_AFTER_EVENT_MS);
    });
    void load();
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [name, load]);

  const current = versions?.at(-1) ?? null;
  const saved = current ? asTableMap(current.definition) : null;
  const draft = edit && current && edit.base === current.version ? edit.draft : null;
  const endedBy = edit && current && edit.base !== current.version && saved && isDirty(saved, edit.draft) ? current : null;
  const changes = saved && draft ? draftChanges(saved, draft) : null;
  const pending = changes?.count ?? 0;
  const { schema, error: schemaError, loading: schemaLoading, refresh: refreshSchema } = useMapSchema(map.financeOperationsEntity, map.dataverseTable);
  // Columns read again are validated against again, though the draft did not change.
  const schemaRead = `${schema?.financeOperations.readAt ?? ''}|${schema?.dataverse.readAt ?? ''}`;
  const { validation, error: validationError } = useValidation(draft ?? saved, schemaRead);

  const onSaved = (result: SavedMap) => {
    setSaving(false);
    setEdit(null);
    setSavedProblems(result.problems.length > 0 ? { version: result.version.version, problems: result.problems } : null);
    notify.success(`Saved ${map.title} as version ${result.version.version}`, result.version.note ?? undefined);
    void load();
  };

  const tabProps: MapPanelProps | null =
    saved && current
      ? {
          draft: draft ?? saved,
          saved,
          onChange: (next) => setEdit({ base: current.version, draft: next }),
          schema,
          validation,
        }
      : null;

  return (
    <OverlayDrawer
      open
      position="end"
      size="large"
      className={styles.drawer}
      onOpenChange={(_, data) => {
        if (!data.open) onClose();
      }}
      data-testid={`map-details-${name}`}
    >
      <DrawerHeader>
        <DrawerHeaderTitle
          action={<Button appearance="subtle" aria-label="Close map details" icon={<Dismiss24Regular />} onClick={onClose} data-testid="details-close" />}
        >
          {map.title}
        </DrawerHeaderTitle>
        <div className={styles.summary}>
          <span className={styles.name}>{name}</span>
          {current ? (
            <Badge appearance="outline" color="informative" data-testid="details-current-version">
              Version {current.version}
            </Badge>
          ) : null}
          {pending > 0 ? (
            <Badge appearance="filled" color="warning" data-testid="details-unsaved" title={changes?.lines.join('\n')}>
              {pending} unsaved {pending === 1 ? 'change' : 'changes'}
            </Badge>
          ) : null}
          {saved ? <ValidationBadge validation={validation} error={validationError} /> : null}
          <RerunActions map={map} />
          <span className={styles.spacer} />
          <Button icon={<ArrowUndo16Regular />} disabled={pending === 0} onClick={() => setEdit(null)} data-testid="details-discard">
            Discard
          </Button>
          <Button appearance="primary" icon={<Save16Regular />} disabled={pending === 0} onClick={() => setSaving(true)} data-testid="details-save">
            Save…
          </Button>
        </div>
        <TabList selectedValue={tab} onTabSelect={(_, data) => setTab(data.value as DetailsTab)}>
          <Tab value="fields" data-testid="tab-fields">
            Fields
          </Tab>
          <Tab value="filters" data-testid="tab-filters">
            Filters
          </Tab>
          <Tab value="settings" data-testid="tab-settings">
            Keys and companies
          </Tab>
          <Tab value="validation" data-testid="tab-validation">
            Validation{validation ? ` (${validation.problems.length})` : ''}
          </Tab>
          <Tab value="preview" data-testid="tab-preview">
            Preview
          </Tab>
          <Tab value="versions" data-testid="tab-versions">
            Versions{versions ? ` (${versions.length})` : ''}
          </Tab>
        </TabList>
      </DrawerHeader>
      <DrawerBody className={styles.body}>
        {error ? <ErrorBar title={`Cannot load the versions of ${map.title}`} error={error} onRetry={() => void load()} /> : null}
        {!versions && !error ? <Spinner label="Loading the map…" /> : null}
        {current && !saved ? (
          <ErrorBar
            title="Cannot read the map"
            error={{ code: 'invalid_map', message: `Version ${current.version} is not a map definition the UI can edit.` }}
          />
        ) : null}
        {endedBy && edit ? (
          <MessageBar intent="warning" layout="multiline" data-testid="details-draft-ended">
            <MessageBarBody>
              <MessageBarTitle>Your unsaved changes were set aside</MessageBarTitle>
              They were made to version {edit.base}; version {endedBy.version} was saved since ({endedBy.author}
              {endedBy.note ? `: ${endedBy.note}` : ''}). The editor shows version {endedBy.version}.
            </MessageBarBody>
            <MessageBarActions>
              <Button size="small" onClick={() => setEdit(null)} data-testid="details-draft-ended-dismiss">
                Dismiss
              </Button>
            </MessageBarActions>
          </MessageBar>
        ) : null}
        {savedProblems ? (
          <div data-testid="save-problems">
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>
                  Version {savedProblems.version} is saved, but the map has {savedProblems.problems.length}{' '}
                  {savedProblems.problems.length === 1 ? 'problem' : 'problems'} to fix before it can run cleanly
                </MessageBarTitle>
              </MessageBarBody>
              <MessageBarActions>
                <Button size="small" onClick={() => setSavedProblems(null)} data-testid="save-problems-dismiss">
                  Dismiss
                </Button>
              </MessageBarActions>
            </MessageBar>
            {/* The table sits below the bar: inside it, a bar does not grow with a table. */}
            <ProblemList problems={savedProblems.problems} label="Problems of the saved map" />
          </div>
        ) : null}
        {tabProps && tab === 'fields' ? (
          <FieldsTab {...tabProps} schemaStatus={{ error: schemaError, loading: schemaLoading, refresh: () => void refreshSchema() }} />
        ) : null}
        {versions && versions.length > 0 && tab === 'versions' ? (
          <VersionsTab map={map} versions={versions} onRolledBack={() => void load()} />
        ) : null}
        {tabProps && tab === 'filters' ? <FiltersTab {...tabProps} /> : null}
        {tabProps && tab === 'settings' ? <SettingsTab {...tabProps} /> : null}
        {tabProps && tab === 'validation' ? (
          <>
            {validationError ? <ErrorBar title="Cannot validate the map" error={validationError} /> : null}
            <ValidationPanel {...tabProps} onSelectProblem={(problem) => setTab(tabOf(problem))} onRefreshSchema={refreshSchema} />
          </>
        ) : null}
        {tabProps && tab === 'preview' ? <PreviewTab {...tabProps} /> : null}
      </DrawerBody>
      {saving && saved && draft ? (
        <SaveDraftDialog saved={saved} draft={draft} validation={validation} onSaved={onSaved} onClose={() => setSaving(false)} />
      ) : null}
    </OverlayDrawer>
  );
}
