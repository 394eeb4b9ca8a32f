import { Button, Checkbox, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowExportLtr20Regular, ArrowImport20Regular, ArrowSync20Regular, TableAdd20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { ErrorBar } from '../components/ErrorBar';
import { BootstrapDialog } from '../components/maps/BootstrapDialog';
import { BulkToolbar } from '../components/maps/BulkToolbar';
import { MapConfirmDialog } from '../components/maps/MapConfirmDialog';
import { MapDetailsDrawer } from '../components/maps/MapDetailsDrawer';
import { MapsTable } from '../components/maps/MapsTable';
import { ExportDialog, ImportDialog } from '../components/maps/PackageDialogs';
import { PromoteDialog } from '../components/maps/PromoteDialog';
import { TemplateGallery } from '../components/maps/TemplateGallery';
import { useBootstrapable } from '../components/maps/useBootstrapable';
import { useMaps } from '../components/maps/useMaps';
import { PageHeader } from '../components/PageHeader';
import { QueueDrawer } from '../components/QueueDrawer';
import { selectAllState } from '../lib/maps';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '1400px' },
});

/** The maps: add them from templates, run, pause, resume and stop them one by one or several at once, and open their queue or details. */
export function MapsPage() {
  const styles = useStyles();
  const page = useMaps();
  const { maps, loading, error, selected, confirm, queueMap, detailsMap, packageDialog } = page;
  const bootstrapable = useBootstrapable(maps);
  const [bootstrapName, setBootstrapName] = useState<string | null>(null);
  const bootstrapMap = bootstrapName ? maps.find((m) => m.name === bootstrapName) : undefined;
  return (
    <div className={styles.page} data-testid="page-maps">
      <PageHeader
        title="Maps"
        description="Table maps between finance and operations entities and Dataverse tables."
        actions={
          <>
            <Button
              appearance="primary"
              icon={<TableAdd20Regular />}
              onClick={() => page.openPackage('templates')}
              data-testid="maps-add-template"
            >
              Add from template
            </Button>
            <Button icon={<ArrowExportLtr20Regular />} disabled={maps.length === 0} onClick={() => page.openPackage('export')} data-testid="maps-export">
              Export
            </Button>
            <Button icon={<ArrowImport20Regular />} onClick={() => page.openPackage('import')} data-testid="maps-import">
              Import
            </Button>
            <Button icon={<ArrowSync20Regular />} onClick={() => page.openPackage('promote')} data-testid="maps-promote">
              Compare and promote
            </Button>
          </>
        }
      />
      {error ? <ErrorBar title="Cannot load maps" error={error} onRetry={page.reload} /> : null}
      {maps.length > 0 ? (
        <BulkToolbar
          leading={
            <Checkbox
              checked={selectAllState(selected.length, maps.length)}
              onChange={page.toggleAll}
              label="All maps"
              data-testid="select-all"
            />
          }
          selected={selected}
          onClear={page.clearSelection}
          onDone={page.reload}
          onOpenDetails={page.openDetailsOf}
        />
      ) : null}
      {loading ? (
        <Spinner label="Loading maps…" />
      ) : error && maps.length === 0 ? null : (
        <MapsTable
          maps={maps}
          selected={selected}
          busy={page.busy}
          onSelect={page.toggleSelected}
          onOpenDetails={page.openDetails}
          onOpenQueue={page.openQueue}
          onRun={page.run}
          onPause={page.pause}
          onResume={page.resume}
          onDiscard={(map) => page.askConfirm('discard', map)}
          onStop={(map) => page.askConfirm('stop', map)}
          bootstrapable={bootstrapable}
          onBootstrap={(map) => setBootstrapName(map.name)}
        />
      )}
      {confirm ? (
        <MapConfirmDialog kind={confirm.kind} map={confirm.map} onCancel={page.cancelConfirm} onConfirm={page.onConfirm} />
      ) : null}
      {queueMap ? (
        <QueueDrawer key={queueMap.name} map={queueMap} onClose={page.closeQueue} onMapUpdated={page.mapUpdated} />
      ) : null}
      {detailsMap ? <MapDetailsDrawer key={`${detailsMap.name}:${page.detailsTab}`} map={detailsMap} initialTab={page.detailsTab} onClose={page.closeDetails} /> : null}
      {bootstrapMap ? <BootstrapDialog key={bootstrapMap.name} map={bootstrapMap} onClose={() => setBootstrapName(null)} /> : null}
      {packageDialog === 'export' ? <ExportDialog maps={maps} onClose={page.closePackage} /> : null}
      {packageDialog === 'import' ? <ImportDialog onClose={page.closePackage} onImported={page.reload} /> : null}
      {packageDialog === 'promote' ? (
        <PromoteDialog onClose={page.closePackage} onPromoted={page.reload} onOpenVersions={page.openVersionsOf} />
      ) : null}
      {packageDialog === 'templates' ? (
        <TemplateGallery mapNames={maps.map((m) => m.name)} onAdded={page.reload} onClose={page.closePackage} />
      ) : null}
    </div>
  );
}
