import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RendererProvider, createDOMRenderer } from '@fluentui/react-components';
import { App } from './App';
import { styleNonce, watchCspViolations, type CspViolation } from './lib/csp';
import './index.css';

declare global {
  interface Window {
    /** What the content security policy refused on this page (read by the desktop smoke test). */
    duetCspViolations?: CspViolation[];
  }
}

window.duetCspViolations = watchCspViolations(document);
const nonce = styleNonce(document);
const renderer = createDOMRenderer(document, nonce ? { styleElementAttributes: { nonce } } : {});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RendererProvider renderer={renderer} targetDocument={document}>
      <App />
    </RendererProvider>
  </StrictMode>,
);
