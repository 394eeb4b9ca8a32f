import { useCallback, useEffect, useMemo, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { TemplateView } from '../../bindings/TemplateView';
import { addedSummary, lookupOffers, markAdded, storedNames, templateTitle, type LookupOffer } from '../../lib/templates';
import { useNotify } from '../notify';

/** The maps offered after an add: the lookups still missing, and which of them are chosen. */
export interface OfferState {
  /** Titles of the maps whose add led to the offer. */
  after: string[];
  offers: LookupOffer[];
  chosen: string[];
}

/**
 * The gallery's templates and what adding does: loads them once, adds one template or the
 * chosen lookups (each add reports itself and tells the page to reload its maps), and after
 * an add offers the maps the stored maps look up that are still missing.
 */
export function useTemplateGallery(mapNames: readonly string[], onAdded: () => void) {
  const notify = useNotify();
  const [templates, setTemplates] = useState<TemplateView[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  /** Names being added right now. */
  const [adding, setAdding] = useState<readonly string[]>([]);
  const [offer, setOffer] = useState<OfferState | null>(null);

  const load = useCallback(() => {
    return backend.mapTemplates().then(
      (value) => {
        setTemplates(value);
        setError(null);
      },
      (e: unknown) => setError(toApiError(e)),
    );
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const mapNamesKey = mapNames.join('\n');
  const stored = useMemo(
    () => storedNames(templates ?? [], mapNamesKey ? mapNamesKey.split('\n') : []),
    [templates, mapNamesKey],
  );

  const add = async (names: string[]) => {
    if (!templates || names.length === 0) return;
    setAdding(names);
    try {
      const result = await backend.addTemplates(names);
      const next = markAdded(templates, result);
      setTemplates(next);
      const summary = addedSummary(next, result);
      notify.success(summary.title, summary.body);
      const offers = lookupOffers(next, result, storedNames(next, [...stored]));
      setOffer(
        offers.length > 0
          ? { after: result.added.map((n) => templateTitle(next, n)), offers, chosen: offers.map((o) => o.name) }
          : null,
      );
      onAdded();
    } catch (e) {
      const what = names.length === 1 ? templateTitle(templates, names[0]) : `${names.length} maps`;
      notify.error(`Cannot add ${what}`, toApiError(e));
    } finally {
      setAdding([]);
    }
  };

  const choose = (name: string, on: boolean) =>
    setOffer((current) =>
      current && {
        ...current,
        chosen: on
          ? current.offers.map((o) => o.name).filter((n) => n === name || current.chosen.includes(n))
          : current.chosen.filter((n) => n !== name),
      },
    );

  return {
    templates,
    error,
    reload: () => void load(),
    stored,
    adding,
    offer,
    add: (names: string[]) => void add(names),
    addChosen: () => void (offer ? add(offer.chosen) : undefined),
    choose,
    dismissOffer: () => setOffer(null),
  };
}
