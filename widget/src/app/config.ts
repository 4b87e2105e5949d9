import type { Lang } from './i18n';

export interface WidgetConfig {
  lang: Lang;
  settings: {
    institution: string | null;
    centreName: string;
    colour: string;
    logoUrl: string | null;
    privacyUrl: string | null;
    open: boolean;
    nextOpening: string;
    hours: Array<{ day: string; spans: Array<[string, string]> }>;
    maxFileBytes: number;
    fileTypes: string[];
  };
}

/** The settings the server wrote into the page as inert JSON. */
export function readConfig(): WidgetConfig {
  return JSON.parse(document.getElementById('widget-config')?.textContent ?? '{}');
}
