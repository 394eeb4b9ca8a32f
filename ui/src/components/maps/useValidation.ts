import { useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { TableMap } from '../../bindings/TableMap';
import type { ValidationView } from '../../bindings/ValidationView';

const DEBOUNCE_MS = 300;

/**
 * What validation finds in `map` (an unsaved edit or the saved map), again after each pause
 * in editing, and again when `schemaRead` changes (the columns were read again).
 */
export function useValidation(map: TableMap | null, schemaRead = '') {
  const [validation, setValidation] = useState<ValidationView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const text = map ? JSON.stringify(map) : null;

  useEffect(() => {
    if (text === null) return;
    let current = true;
    const timer = setTimeout(() => {
      backend.validateMap(JSON.parse(text) as TableMap).then(
        (value) => {
          if (!current) return;
          setValidation(value);
          setError(null);
        },
        (e: unknown) => {
          if (current) setError(toApiError(e));
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, schemaRead]);

  return { validation, error };
}
