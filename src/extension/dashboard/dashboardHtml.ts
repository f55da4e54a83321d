// The dashboard page: dist/webview/index.html (copied from webview/index.html by the build) with its placeholders
// filled. The Content-Security-Policy allows nothing but the bundled script (by nonce) and the bundled styles and
// fonts from the extension's own webview origin: no inline handlers, no network. Pure (no vscode).
import { randomBytes } from 'node:crypto';

export interface PageValues {
  /** webview.cspSource: the origin the webview serves local resources from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** BCP 47 UI language. */
  lang: string;
  title: string;
  loading: string;
}

/** 128 random bits, base64: a fresh nonce for every page load. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The nonce lets the toolkit's one probe <style> element in (FAST reads it from <meta property="csp-nonce">).
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Fills `{{name}}` placeholders (HTML-escaped); a placeholder left unfilled is an error in the template. */
export function renderPage(template: string, values: PageValues): string {
  const filled: Record<string, string> = {
    csp: contentSecurityPolicy(values.cspSource, values.nonce),
    nonce: values.nonce,
    scriptUri: values.scriptUri,
    styleUri: values.styleUri,
    lang: values.lang,
    title: values.title,
    loading: values.loading,
  };
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = filled[name];
    if (value === undefined) throw new Error(`dashboard template: unknown placeholder ${whole}`);
    return escapeHtml(value);
  });
}
