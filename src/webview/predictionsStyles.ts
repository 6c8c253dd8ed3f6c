// The predictions page's own styles, themed with VS Code's CSS variables. Applied as a constructed
// stylesheet so the page needs no inline <style> (the CSP allows none).
export const predictionsCss = `
[hidden] { display: none !important; }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 24px; }
h1 { font-size: 1.3em; font-weight: 600; margin: 14px 0 4px; }
h2 { font-size: 1.05em; font-weight: 600; margin: 20px 0 8px; }
.subtle { color: var(--vscode-descriptionForeground); }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
vscode-textarea { width: 100%; max-width: 720px; }
.results { max-width: 720px; }
.bar-row { display: grid; grid-template-columns: 9em 1fr 4.5em; gap: 8px; align-items: center; margin: 3px 0; }
.bar-row .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.bar-row.top .label { font-weight: 600; }
.bar { height: 14px; background: var(--vscode-editorWidget-background, rgba(128,128,128,.15)); border: 1px solid var(--vscode-widget-border, transparent); }
.bar > div { height: 100%; background: var(--vscode-charts-blue, var(--vscode-progressBar-background)); }
.bar-row.top .bar > div { background: var(--vscode-charts-green, var(--vscode-progressBar-background)); }
.score { text-align: right; font-variant-numeric: tabular-nums; }
.error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
.ended-banner { max-width: 720px; margin: 8px 0; padding: 8px 12px; border-left: 4px solid var(--vscode-editorWarning-foreground, #cca700); background: var(--vscode-inputValidation-warningBackground, rgba(204,167,0,.12)); }
button.link:disabled { color: var(--vscode-disabledForeground); cursor: default; text-decoration: none; }
button.link { background: none; border: none; padding: 0; font: inherit; text-align: left; color: var(--vscode-textLink-foreground); cursor: pointer; }
button.link:hover { text-decoration: underline; }
button.link:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; text-decoration: underline; }
.examples li, .history li { margin: 3px 0; }
ul { padding-left: 18px; margin: 4px 0; }
table.confusion { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.confusion th, table.confusion td { border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); padding: 2px 6px; text-align: right; }
table.confusion td.diag { background: var(--vscode-diffEditor-insertedTextBackground, rgba(0,128,0,.2)); }
table.confusion th { font-weight: 600; }
table.per-class { margin-top: 8px; }
vscode-textfield.num { width: 7em; }
`;
