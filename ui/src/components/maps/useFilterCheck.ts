import { useEffect, useRef, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { FilterCheckView } from '../../bindings/FilterCheckView';
import type { Side } from '../../bindings/Side';
import type { TableMap } from '../../bindings/TableMap';
import { filterOf } from '../../lib/filterText';

const DEBOUNCE_MS = 400;

/**
 * One side's filter check (parse error with its position, the OData it becomes, the rows it
 * keeps), asked again after each pause in typing. Only what the answer depends on (the
 * filter, the table, the company striping) starts a new check, so typing in the other
 * side's filter does not.
 */
export function useFilterCheck(draft: TableMap, side: Side) {
  const subject = JSON.stringify({
    filter: filterOf(draft, side),
    table: side === 'financeOperations' ? draft.financeOperationsEntity : draft.dataverseEntitySet,
    company: draft.company,
  });
  const [answer, setAnswer] = useState<{ subject: string; check: FilterCheckView | null; error: ApiError | null } | null>(null);
  const latest = useRef(draft);
  useEffect(() => {
    latest.current = draft;
  });

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      backend.checkFilter(latest.current, side).then(
        (check) => {
          if (current) setAnswer({ subject, check, error: null });
        },
        (e: unknown) => {
          if (current) setAnswer({ subject, check: null, error: toApiError(e) });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [subject, side]);

  const fresh = answer?.subject === subject;
  return {
    check: answer?.check ?? null,
    error: answer?.error ?? null,
    /** A check of the text as it is now has not answered yet. */
    checking: !fresh,
  };
}
