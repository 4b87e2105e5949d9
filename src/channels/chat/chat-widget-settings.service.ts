import { Injectable } from '@nestjs/common';
import { ALLOWED_EXTENSIONS } from '@lib/attachments';
import { CalendarService, CentreHoursView, DEFAULT_CENTRE } from '../../calendar/calendar.service';
import { AppConfig } from '../../config/app-config';
import { InstitutionsService } from '../../institutions/institutions.service';

/** The centre's colour when an institution chose none: white text on it passes WCAG AA (contrast 7.9:1). */
export const DEFAULT_COLOUR = '#9e1b32';
export const DEFAULT_CENTRE_NAME = 'Valsts pārvaldes pakalpojumu portāls';

export interface WidgetSettings {
  institution: string | null;
  centreName: string;
  colour: string;
  logoUrl: string | null;
  privacyUrl: string | null;
  /** Origins that may frame the widget; empty: none. */
  allowedOrigins: string[];
  open: boolean;
  nextOpening: string;
  /** The centre's weekly hours, Monday first, as `[from, to]` spans per day (Riga time). */
  hours: Array<{ day: string; spans: Array<[string, string]> }>;
  maxFileBytes: number;
  fileTypes: string[];
}

/** As long as the calendar's own cache: a change of hours shows in the widget when it shows in the hand-over. */
const HOURS_TTL_MS = 30_000;
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * Everything the widget shows that is data, not code: the institution's look and allowed host sites, the centre's
 * hours and whether people are at work now (the business calendar the hand-over uses), and the file limits the
 * /chat socket enforces.
 */
@Injectable()
export class ChatWidgetSettingsService {
  constructor(
    private readonly institutions: InstitutionsService,
    private readonly calendars: CalendarService,
    private readonly config: AppConfig,
  ) {}

  /** null for an institution code that does not exist. */
  async settings(institutionCode: string | null, now = new Date()): Promise<WidgetSettings | null> {
    const institution = institutionCode ? await this.institutions.findByCode(institutionCode) : null;
    if (institutionCode && !institution) return null;
    const [calendar, centre] = await Promise.all([this.calendars.calendar(), this.centreHours()]);
    return {
      institution: institution?.code ?? null,
      centreName: institution?.chatCentreName ?? DEFAULT_CENTRE_NAME,
      colour: institution?.chatColour ?? DEFAULT_COLOUR,
      logoUrl: institution?.chatLogoUrl ?? null,
      privacyUrl: institution?.chatPrivacyUrl ?? null,
      allowedOrigins: institution?.chatAllowedOrigins ?? [],
      open: calendar.isOpen(now),
      nextOpening: calendar.nextOpening(now).toISOString(),
      hours: WEEK.map((day) => ({ day, spans: (centre.hours[day] ?? []).map(([a, b]) => [a, b] as [string, string]) })),
      maxFileBytes: this.config.CHAT_MAX_ATTACHMENT_BYTES,
      fileTypes: [...ALLOWED_EXTENSIONS],
    };
  }

  // The week's hours change a few times a year; every widget page reading them from PostgreSQL would be waste.
  private hoursCache: { at: number; view: Promise<CentreHoursView> } | null = null;

  private centreHours(): Promise<CentreHoursView> {
    if (!this.hoursCache || Date.now() - this.hoursCache.at > HOURS_TTL_MS) {
      const view = this.calendars.centre(DEFAULT_CENTRE);
      this.hoursCache = { at: Date.now(), view };
      view.catch(() => (this.hoursCache = null));
    }
    return this.hoursCache.view;
  }

  /** Whether a page of this origin may embed the institution's widget. */
  allows(settings: WidgetSettings, origin: string | undefined): boolean {
    return !!origin && settings.allowedOrigins.includes(origin.toLowerCase());
  }
}
