import { useEffect, useState } from 'react';
import { backend } from '../../backend';
import type { MapView } from '../../bindings/MapView';
import { canBootstrap } from '../../lib/bootstrap';

/**
 * Which maps bootstrap can run (company-specific, with a plain key), by name, read from
 * each map's newest stored definition once per map.
 */
export function useBootstrapable(maps: readonly MapView[]): Readonly<Record<string, boolean>> {
  const [known, setKnown] = useState<Record<string, boolean>>({});
  const names = maps.map((m) => m.name).join('\n');

  useEffect(() => {
    let live = true;
    const missing = names.split('\n').filter((name) => name && !(name in known));
    for (const name of missing) {
      backend.mapVersions(name).then(
        (versions) => {
          const newest = versions[versions.length - 1];
          if (live) setKnown((current) => ({ ...current, [name]: canBootstrap(newest?.definition) }));
        },
        () => {
          if (live) setKnown((current) => ({ ...current, [name]: false }));
        },
      );
    }
    return () => {
      live = false;
    };
    // `known` is read to skip maps already asked about; its own changes need no new round.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [names]);

  return known;
}
