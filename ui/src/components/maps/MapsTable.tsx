import { Card, Checkbox, mergeClasses } from '@fluentui/react-components';
import type { MapView } from '../../bindings/MapView';
import { formatCount } from '../../lib/format';
import { ChangeTable, type ChangeColumn, type ChangeExpansion } from '../ChangeTable';
import { FieldMappings } from './FieldMappings';
import { MapErrorsCount, MapQueueCell, MapStateCell, MapTitleCell } from './MapCells';
import { MapRowActions, type MapRowHandlers } from './MapRowActions';
import { useMapsTableStyles } from './tableStyles';

export interface MapsTableProps extends MapRowHandlers {
  maps: readonly MapView[];
  /** Names of the selected maps. */
  selected: readonly string[];
  /** Maps with a command under way, by name. */
  busy: Readonly<Record<string, boolean>>;
  /** Maps bootstrap can run (company-specific, plain key), by name. */
  bootstrapable: Readonly<Record<string, boolean>>;
  onSelect: (name: string, on: boolean) => void;
  onOpenDetails: (map: MapView) => void;
  onOpenQueue: (map: MapView) => void;
}

/** The maps, one row each with its selection, state, counts, queue and actions; a row opens its field mappings. */
export function MapsTable(props: MapsTableProps) {
  const styles = useMapsTableStyles();
  const fieldsExpansion: ChangeExpansion<MapView> = {
    what: 'field mappings',
    headerLabel: 'Field mappings',
    toggleTestId: (map) => `fields-toggle-${map.name}`,
    detailTestId: (map) => `fields-${map.name}`,
    cellClassName: styles.fieldsCell,
    render: (map) => <FieldMappings map={map} />,
  };
  return (
    <Card className={styles.card}>
      <ChangeTable
        items={props.maps}
        itemKey={(m) => m.name}
        columns={mapColumns(styles, props)}
        expansion={fieldsExpansion}
        ariaLabel="Maps"
        testId="maps-table"
        size="medium"
        className={styles.table}
        rowTestId={(m) => `map-row-${m.name}`}
        empty={{ testId: 'maps-empty', text: 'No maps are defined.' }}
      />
    </Card>
  );
}

function mapColumns(styles: ReturnType<typeof useMapsTableStyles>, props: MapsTableProps): ChangeColumn<MapView>[] {
  const { selected, busy, onSelect, onOpenDetails, onOpenQueue, onRun, onPause, onResume, onDiscard, onStop } = props;
  const handlers: MapRowHandlers = { onRun, onPause, onResume, onDiscard, onStop };
  const { bootstrapable, onBootstrap } = props;
  return [
    {
      id: 'select',
      label: 'Select',
      headerClassName: styles.selectCol,
      render: (map) => (
        <Checkbox
          checked={selected.includes(map.name)}
          onChange={(_, data) => onSelect(map.name, !!data.checked)}
          aria-label={`Select ${map.title}`}
          data-testid={`select-${map.name}`}
        />
      ),
    },
    { id: 'map', header: 'Map', render: (map) => <MapTitleCell map={map} onOpen={onOpenDetails} /> },
    { id: 'state', header: 'State', headerClassName: styles.stateCol, render: (map) => <MapStateCell map={map} /> },
    {
      id: 'rows',
      header: 'Rows synced',
      numeric: true,
      headerClassName: mergeClasses(styles.rowsCol, styles.wideOnly),
      headerButtonClassName: styles.wrap,
      cellClassName: styles.wideOnly,
      render: (map) => <span data-testid={`map-rows-${map.name}`}>{formatCount(map.rowsSynced)}</span>,
    },
    {
      id: 'errors',
      header: 'Errors',
      numeric: true,
      headerClassName: mergeClasses(styles.errorsCol, styles.wideOnly),
      cellClassName: styles.wideOnly,
      render: (map) => <MapErrorsCount map={map} />,
    },
    { id: 'queue', header: 'Queue', headerClassName: styles.queueCol, render: (map) => <MapQueueCell map={map} onOpen={onOpenQueue} /> },
    {
      id: 'actions',
      label: 'Actions',
      headerClassName: styles.actionsCol,
      render: (map) => (
        <MapRowActions
          map={map}
          busy={!!busy[map.name]}
          {...handlers}
          onBootstrap={bootstrapable[map.name] ? onBootstrap : undefined}
        />
      ),
    },
  ];
}
