/**
 * The page under a Content-Security-Policy. The desktop window allows styles from its own
 * files and from `<style>` elements carrying the nonce the shell gives each page load (Tauri
 * writes it on every `<style>` of index.html and adds it to `style-src`). Fluent UI's styles
 * are inserted at run time by Griffel, so its renderer puts the same nonce on the style
 * elements it creates; no `'unsafe-inline'` is needed. Served by `duet serve`, the page has
 * no nonce and the renderer adds none.
 */
export function styleNonce(doc: Pick<Document, 'querySelector'>): string | undefined {
  const element = doc.querySelector<HTMLStyleElement>('style[nonce]');
  // Browsers hide the attribute once the element is in the document; the property keeps it.
  const nonce = element?.nonce || element?.getAttribute('nonce') || '';
  return nonce === '' ? undefined : nonce;
}

/** A resource or script the policy refused, as the page saw it. */
export interface CspViolation {
  directive: string;
  blocked: string;
  sample: string;
}

/**
 * Records every `securitypolicyviolation` the page raises and reports it on the console; the
 * desktop smoke test reads the record and fails on any entry.
 */
export function watchCspViolations(target: Pick<EventTarget, 'addEventListener'>): CspViolation[] {
  const seen: CspViolation[] = [];
  target.addEventListener('securitypolicyviolation', (event) => {
    const violation = event as SecurityPolicyViolationEvent;
    const entry: CspViolation = {
      directive: violation.effectiveDirective || violation.violatedDirective || '',
      blocked: violation.blockedURI ?? '',
      sample: violation.sample ?? '',
    };
    seen.push(entry);
    console.error('duet: the content security policy refused', entry);
  });
  return seen;
}
