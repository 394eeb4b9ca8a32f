// Checks of the window's Content-Security-Policy, run in the page through WebDriver. `execute`
// runs a script body synchronously and answers its return value; `executeAsync` passes a
// callback as the last argument.

/** The violations the page recorded (ui/src/lib/csp.ts); fails if the record is missing. */
export async function violations(execute) {
  const seen = await execute('return window.duetCspViolations ?? null;');
  if (!Array.isArray(seen)) throw new Error('the page keeps no record of CSP violations (window.duetCspViolations)');
  return seen;
}

/**
 * The page is styled under the policy: Fluent UI's runtime style elements carry the style
 * nonce, the header has its flex layout, and every resource the page loaded came from the
 * app itself (no fonts, icons or scripts from the network).
 */
export async function assertStyledAndLocal(execute) {
  const state = await execute(`
    const styles = [...document.querySelectorAll('style')];
    const header = document.querySelector('[data-testid="app-header"]');
    return {
      styleElements: styles.length,
      withoutNonce: styles.filter((style) => !style.nonce).length,
      rules: styles.reduce((sum, style) => sum + (style.sheet ? style.sheet.cssRules.length : 0), 0),
      headerDisplay: header ? getComputedStyle(header).display : null,
      origin: location.origin,
      // What the page loaded (WebKitGTK keeps no resource timing for the app's own protocol,
      // so the elements that name a resource are read as well).
      resources: [
        ...performance.getEntriesByType('resource').map((entry) => entry.name),
        ...[...document.querySelectorAll('[src], link[href]')].map((element) => element.src || element.href),
      ],
    };
  `);
  if (state.styleElements < 2 || state.withoutNonce > 0) {
    throw new Error(`style elements without the CSP nonce: ${JSON.stringify(state)}`);
  }
  if (state.rules < 100 || state.headerDisplay !== 'flex') {
    throw new Error(`the page is not styled (Fluent UI's rules were refused?): ${JSON.stringify(state)}`);
  }
  const remote = state.resources.filter(
    (name) => !name.startsWith(state.origin) && !name.startsWith('ipc:') && !name.startsWith('http://ipc.localhost'),
  );
  if (remote.length > 0) throw new Error(`the page loaded resources from elsewhere: ${remote.join(', ')}`);
  return state;
}

/**
 * The policy is in force: an inline script, eval, an inline style attribute and a request to
 * any other origin are refused, each with a violation report. Run last: it adds violations.
 */
export async function assertRefusals(execute, executeAsync) {
  const before = (await violations(execute)).length;
  const outcome = await executeAsync(`
    const done = arguments[arguments.length - 1];
    const result = {};
    try { result.eval = String(window.eval('1 + 1')); } catch (error) { result.eval = 'refused: ' + error.name; }
    try { result.newFunction = String(new Function('return 2')()); } catch (error) { result.newFunction = 'refused: ' + error.name; }
    const script = document.createElement('script');
    script.textContent = 'window.duetInlineScriptRan = true;';
    document.body.appendChild(script);
    result.inlineScript = window.duetInlineScriptRan === true ? 'ran' : 'refused';
    const probe = document.createElement('div');
    probe.setAttribute('style', 'width: 123px');
    document.body.appendChild(probe);
    result.styleAttribute = probe.getBoundingClientRect().width === 123 ? 'applied' : 'refused';
    probe.remove();
    fetch('http://127.0.0.1:9/duet-csp-probe')
      .then(() => 'answered', (error) => 'refused: ' + error.name)
      .then((fetched) => {
        result.fetch = fetched;
        // Reports are queued tasks: let them arrive.
        setTimeout(() => done(result), 300);
      });
  `);
  const allowed = Object.entries(outcome).filter(([, value]) => !value.startsWith('refused'));
  if (allowed.length > 0) throw new Error(`the CSP let through: ${JSON.stringify(outcome)}`);
  const reported = (await violations(execute)).slice(before).map((violation) => violation.directive);
  for (const directive of ['script-src', 'style-src', 'connect-src']) {
    if (!reported.some((name) => name.startsWith(directive))) {
      throw new Error(`no ${directive} violation was reported for the refused probe: ${JSON.stringify(reported)}`);
    }
  }
  return { outcome, reported };
}
