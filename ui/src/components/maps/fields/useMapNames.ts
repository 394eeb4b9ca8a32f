import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../../../backend';
import type { ApiError } from '../../../bindings/ApiError';

/** The names of the stored maps, for a transform that looks rows up in another map. */
export function useMapNames() {
  const [names, setNames] = useState<string[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const read = useCallback(
    () =>
      backend.maps().then(
        (maps) => {
          setNames(maps.map((m) => m.name).sort());
          setError(null);
        },
        (e: unknown) => setError(toApiError(e)),
      ),
    [],
  );

  useEffect(() => {
    void read();
  }, [read]);

  return { names, error, retry: () => void read() };
}
