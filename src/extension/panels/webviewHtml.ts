// The one page shell every webview panel gets: a fresh nonce, the Content-Security-Policy and the HTML
// around the page's body. The pages are untrusted: nothing loads but the page's own script (by nonce)
// and styles, fonts and images from the extension; inline styles only by the same nonce. Pure (no
// vscode import), so its output is checked in plain Node.

export interface PageShell {
  title: string;
  /** The page's body (its elements; the script tag is added here). */
  body: string;
  /** The webview's cspSource, and the page script's webview URI. Without them: a static page, no script. */
  cspSource?: string;
  script?: string;
  /** Inline CSS, allowed through the nonce. */
  style?: string;
}

function nonce(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function webviewHtml(page: PageShell): string {
  const n = nonce();
  const src = page.cspSource;
  const scripted = src !== undefined && page.script !== undefined;
  // A static page (a message in place of the page) runs nothing; its one style block is inline.
  const csp = scripted
    ? `default-src 'none'; style-src ${src}${page.style ? ` 'nonce-${n}'` : ''}; font-src ${src}; img-src ${src} data:; script-src 'nonce-${n}';`
    : `default-src 'none'; style-src 'unsafe-inline';`;
  const style = page.style ? `\n<style${scripted ? ` nonce="${n}"` : ''}>\n${page.style}\n</style>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(page.title)}</title>${style}
</head>
<body>
${page.body}${scripted ? `\n<script nonce="${n}" src="${page.script}"></script>` : ''}
</body>
</html>`;
}
