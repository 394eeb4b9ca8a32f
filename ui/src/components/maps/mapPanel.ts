import type { MapSchemaView } from '../../bindings/MapSchemaView';
import type { TableMap } from '../../bindings/TableMap';
import type { ValidationView } from '../../bindings/ValidationView';

/**
 * What the details drawer hands each of its panels: the unsaved draft and the saved map it
 * started from, the way to change the draft, and the schema and validation the drawer reads
 * once for all of them (null until they arrive).
 */
export interface MapPanelProps {
  draft: TableMap;
  saved: TableMap;
  onChange: (next: TableMap) => void;
  schema: MapSchemaView | null;
  validation: ValidationView | null;
}
