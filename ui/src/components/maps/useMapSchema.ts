import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { MapSchemaView } from '../../bindings/MapSchemaView';

/**
 * The columns of a map's two tables, read from the linked environments (the backend caches
 * them); `refresh` reads them again.
 */
export function useMapSchema(financeOperationsEntity: string, dataverseTable: string) {
  const [schema, setSchema] = useState<MapSchemaView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [refreshing, setRefreshing] = useState(false);

  const read = useCallback(
    (refresh: boolean) =>
      backend.mapSchema(financeOperationsEntity, dataverseTable, refresh).then(
        (value) => {
          setSchema(value);
          setError(null);
        },
        (e: unknown) => setError(toApiError(e)),
      ),
    [financeOperationsEntity, dataverseTable],
  );

  useEffect(() => {
    void read(false);
  }, [read]);

  const refresh = () => {
    setRefreshing(true);
    return read(true).finally(() => setRefreshing(false));
  };

  return { schema, error, loading: (schema === null && error === null) || refreshing, refresh };
}
