import {
  Badge,
  Button,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  OverlayDrawer,
  Spinner,
  Tab,
  TabList,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Dismiss24Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { MapVersionView } from '../../bindings/MapVersionView';
import type { MapView } from '../../bindings/MapView';
import { asMapDefinition, editCount, type FieldEdits } from '../../lib/mapsAlm';
import { problemPlace } from '../../lib/validation';
import { ErrorBar } from '../ErrorBar';
import { FieldsTab } from './FieldsTab';
import { DraftPanels } from './DraftPanels';
import { RerunActions } from './RerunActions';
import { VersionsTab } from './VersionsTab';

const NO_EDITS: FieldEdits = {};
const RELOAD_AFTER_EVENT_MS = 1_000;

export type DetailsTab = 'fields' | 'versions' | 'filters' | 'settings' | 'validation' | 'preview';

const useStyles = makeStyles({
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, paddingBottom: tokens.spacingVerticalXL },
  summary: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  name: { color: tokens.colorNeutralForeground3, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

/**
 * One map's definition, history and preview. The unsaved edit lives here so the Fields and
 * Preview tabs share it. Mount it only while open (keyed by map name).
 */
export function MapDetailsDrawer({ map, onClose }: { map: MapView; onClose: () => void }) {
  const styles = useStyles();
  const name = map.name;
  const [tab, setTab] = useState<DetailsTab>('fields');
  const [versions, setVersions] = useState<MapVersionView[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // An edit is made against one version; once a newer one is saved (here or elsewhere) it ends.
  const [edit, setEdit] = useState<{ base: number; edits: FieldEdits } | null>(null);

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
  const definition = current ? asMapDefinition(current.definition) : null;
  const edits: FieldEdits = edit && current && edit.base === current.version ? edit.edits : NO_EDITS;
  const setEdits = (next: FieldEdits) => {
    if (current) setEdit({ base: current.version, edits: next });
  };
  const pending = editCount(edits);

  return (
    <OverlayDrawer
      open
      position="end"
      size="large"
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
            <Badge appearance="filled" color="warning" data-testid="details-unsaved">
              {pending} unsaved {pending === 1 ? 'change' : 'changes'}
            </Badge>
          ) : null}
          <RerunActions map={map} />
        </div>
        <TabList selectedValue={tab} onTabSelect={(_, data) => setTab(data.value as DetailsTab)}>
          <Tab value="fields" data-testid="tab-fields">
            Fields
          </Tab>
          <Tab value="versions" data-testid="tab-versions">
            Versions{versions ? ` (${versions.length})` : ''}
          </Tab>
          <Tab value="filters" data-testid="tab-filters">
            Filters
          </Tab>
          <Tab value="settings" data-testid="tab-settings">
            Settings
          </Tab>
          <Tab value="validation" data-testid="tab-validation">
            Validation
          </Tab>
          <Tab value="preview" data-testid="tab-preview">
            Preview
          </Tab>
        </TabList>
      </DrawerHeader>
      <DrawerBody className={styles.body}>
        {error ? <ErrorBar title={`Cannot load the versions of ${map.title}`} error={error} onRetry={() => void load()} /> : null}
        {!versions && !error ? <Spinner label="Loading the map…" /> : null}
        {current && !definition ? (
          <ErrorBar
            title="Cannot read the map"
            error={{ code: 'invalid_map', message: `Version ${current.version} is not a map definition the UI can edit.` }}
          />
        ) : null}
        {current && definition && tab === 'fields' ? (
          <FieldsTab
            map={map}
            definition={definition}
            edits={edits}
            onEditsChange={setEdits}
            onSaved={() => void load()}
            onPreview={() => setTab('preview')}
          />
        ) : null}
        {versions && versions.length > 0 && tab === 'versions' ? (
          <VersionsTab map={map} versions={versions} onRolledBack={() => void load()} />
        ) : null}
        {current && definition ? (
          <DraftPanels
            version={current.version}
            definition={definition}
            edits={edits}
            shown={tab === 'fields' || tab === 'versions' ? null : tab}
            onSelectProblem={(problem) => {
              const place = problemPlace(problem);
              setTab(place === 'map' ? 'validation' : place);
            }}
          />
        ) : null}
      </DrawerBody>
    </OverlayDrawer>
  );
}
