import type { FieldError } from '../common/problem';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const HEX = /^#[0-9a-f]{6}$/;
/** WCAG 2.1 AA for normal text: the widget writes white on the institution's colour. */
export const MIN_CONTRAST = 4.5;

/**
 * A site that may embed the widget, as the browser names it in CSP frame-ancestors and the Origin header:
 * scheme://host[:port], nothing more. Plain http only for the machine itself (development, tests).
 */
export function parseOrigin(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 200) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!secure || url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return null;
  if (value.replace(/\/$/, '').toLowerCase() !== url.origin) return null;
  return url.origin;
}

/** An address a logo may be loaded from (the page's CSP lets its origin in): https, or http on this machine. */
export function parseLogoUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 500) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) ? url.href : null;
  } catch {
    return null;
  }
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio of white text on this colour. */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (luminance(hex) + 0.05);
}

export interface ChatWidgetInput {
  allowedOrigins: string[];
  colour: string | null;
  centreName: string | null;
  logoUrl: string | null;
  privacyUrl: string | null;
}

/** The settings an admin sent, checked field by field; errors name the exact field at fault. */
export function checkChatWidgetInput(body: Record<string, unknown>): { value: ChatWidgetInput } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const origins: string[] = [];
  if (!Array.isArray(body.allowedOrigins) || body.allowedOrigins.length > 50) {
    errors.push({ field: 'allowedOrigins', code: 'invalid', message: 'a list of at most 50 origins, e.g. ["https://www.vsaa.gov.lv"]' });
  } else {
    body.allowedOrigins.forEach((o, i) => {
      const origin = parseOrigin(o);
      if (!origin)
        errors.push({
          field: `allowedOrigins[${i}]`,
          code: 'invalid',
          message: 'scheme://host[:port] only (https; http only for localhost)',
        });
      else if (!origins.includes(origin)) origins.push(origin);
    });
  }
  const colour =
    body.colour === undefined || body.colour === null ? null : typeof body.colour === 'string' ? body.colour.toLowerCase() : '';
  if (colour !== null && !HEX.test(colour)) errors.push({ field: 'colour', code: 'invalid', message: 'a colour as #rrggbb' });
  else if (colour && contrastWithWhite(colour) < MIN_CONTRAST) {
    errors.push({
      field: 'colour',
      code: 'low-contrast',
      message: `white text on it must reach ${MIN_CONTRAST}:1 (WCAG AA); this gives ${contrastWithWhite(colour).toFixed(2)}:1`,
    });
  }
  const text = (v: unknown, field: string, max: number) => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !v.trim() || v.length > max)
      errors.push({ field, code: 'invalid', message: `text of 1-${max} characters` });
    return typeof v === 'string' ? v.trim() : null;
  };
  const centreName = text(body.centreName, 'centreName', 120);
  const url = (v: unknown, field: string) => {
    if (v === undefined || v === null) return null;
    const parsed = parseLogoUrl(v);
    if (!parsed) errors.push({ field, code: 'invalid', message: 'an https address' });
    return parsed;
  };
  const logoUrl = url(body.logoUrl, 'logoUrl');
  const privacyUrl = url(body.privacyUrl, 'privacyUrl');
  if (errors.length) return { errors };
  return { value: { allowedOrigins: origins, colour, centreName, logoUrl, privacyUrl } };
}
