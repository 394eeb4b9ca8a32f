import { useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { ScenarioMap } from '../../bindings/ScenarioMap';
import { mapOptions, withChoices, type MapOption } from '../../lib/scenarioMaps';
import type { OptionsDraft } from '../../lib/scenarios';

/** Wait this long after a change before asking the backend again. */
const RESOLVE_DELAY_MS = 250;

/** The maps the wizard offers: stored maps and templates, read once. */
export function useMapOptions() {
  const [options, setOptions] = useState<MapOption[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([backend.maps(), backend.mapTemplates()]).then(
      ([stored, templates]) => {
        if (live) setOptions(mapOptions(stored, templates));
      },
      (e: unknown) => {
        if (live) setError(toApiError(e));
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return { options, error };
}

/**
 * The maps a run would start for the chosen ones (every map they look up added, in start
 * order), asked of the backend as the admin picks; the choices apply at once.
 */
export function useScenarioMaps(draft: Pick<OptionsDraft, 'maps' | 'choices' | 'master'>) {
  const [resolved, setResolved] = useState<{ key: string; maps: ScenarioMap[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const { maps, choices, master } = draft;
  const key = JSON.stringify({ maps, choices, master });

  useEffect(() => {
    const { maps: names, choices: chosen, master: side } = JSON.parse(key) as Pick<OptionsDraft, 'maps' | 'choices' | 'master'>;
    if (names.length === 0) return;
    let live = true;
    const timer = setTimeout(() => {
      backend.scenarioMaps({ maps: names, choices: chosen, master: side }).then(
        (value) => {
          if (!live) return;
          setResolved({ key, maps: value });
          setError(null);
        },
        (e: unknown) => {
          if (live) setError(toApiError(e));
        },
      );
    }, RESOLVE_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);

  const rows = maps.length && resolved ? withChoices(resolved.maps, choices, master) : [];
  return { rows, error: maps.length ? error : null, pending: maps.length > 0 && resolved?.key !== key };
}
