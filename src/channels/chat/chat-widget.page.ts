import type { WidgetSettings } from './chat-widget-settings.service';

export type WidgetLanguage = 'lv' | 'ru' | 'en';
export const WIDGET_LANGUAGES: WidgetLanguage[] = ['lv', 'ru', 'en'];

/** JSON inside a <script> element: nothing in it may close the element or start markup. */
export const scriptSafeJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface WidgetPageConfig {
  lang: WidgetLanguage;
  settings: Omit<WidgetSettings, 'allowedOrigins'>;
}

/**
 * The conversation page the launcher opens in an iframe: a shell whose whole UI is the built widget script (no
 * inline script, so the CSP needs no nonce), with its settings as inert JSON.
 */
export function widgetPage(config: WidgetPageConfig, versions: { js: string; css: string }): string {
  return `<!doctype html>
<html lang="${config.lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, interactive-widget=resizes-content">
<title>${escapeHtml(config.settings.centreName)}</title>
<link rel="stylesheet" href="/chat/widget.css?v=${versions.css}">
</head><body>
<div id="app"></div>
<script type="application/json" id="widget-config">${scriptSafeJson(config)}</script>
<script src="/chat/widget.js?v=${versions.js}" defer></script>
</body></html>`;
}

/**
 * The page's CSP. `frame-ancestors` is the institution's list of host sites (none: no site may frame it); the
 * logo may come from its own origin; everything else only from this service.
 */
export function widgetCsp(allowedOrigins: string[], logoUrl: string | null): string {
  const logo = logoUrl ? ` ${new URL(logoUrl).origin}` : '';
  const ancestors = allowedOrigins.length ? allowedOrigins.join(' ') : "'none'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self' ws: wss:",
    `img-src 'self' data:${logo}`,
    `frame-ancestors ${ancestors}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
