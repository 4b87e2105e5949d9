import type { ChatLanguage } from '@lib/chat-assistant';
import type { ChatEntry } from './chat-session';

interface TranscriptCopy {
  subject: (reference: string) => string;
  intro: (reference: string, date: string) => string;
  visitor: string;
  assistant: string;
  agent: string;
  system: string;
  file: string;
  footer: string;
}

const COPY: Record<ChatLanguage, TranscriptCopy> = {
  lv: {
    subject: (r) => `Sarunas kopija (${r})`,
    intro: (r, d) => `Labdien!\n\nPēc Jūsu lūguma sūtām tērzēšanas sarunas kopiju (${d}). Lietas numurs: ${r}.`,
    visitor: 'Jūs',
    assistant: 'Virtuālais asistents',
    agent: 'Konsultants',
    system: 'Paziņojums',
    file: 'fails',
    footer: 'Šī vēstule nosūtīta automātiski. Ja Jums ir vēl jautājumi, sāciet jaunu sarunu vai rakstiet, norādot lietas numuru.',
  },
  ru: {
    subject: (r) => `Копия переписки (${r})`,
    intro: (r, d) => `Здравствуйте!\n\nПо вашей просьбе отправляем копию переписки в чате (${d}). Номер дела: ${r}.`,
    visitor: 'Вы',
    assistant: 'Виртуальный ассистент',
    agent: 'Консультант',
    system: 'Уведомление',
    file: 'файл',
    footer: 'Это письмо отправлено автоматически. Если у вас остались вопросы, начните новый чат или напишите нам, указав номер дела.',
  },
  en: {
    subject: (r) => `Transcript of your chat (${r})`,
    intro: (r, d) => `Hello,\n\nAs you asked, here is the transcript of your chat (${d}). Case number: ${r}.`,
    visitor: 'You',
    assistant: 'Virtual assistant',
    agent: 'Consultant',
    system: 'Notice',
    file: 'file',
    footer: 'This message was sent automatically. If you have more questions, start a new chat or write to us quoting the case number.',
  },
};

// The centre and its visitors are in Latvia: times as they saw them on the wall clock.
const clock = (language: ChatLanguage, options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat(language, { timeZone: 'Europe/Riga', ...options });

/**
 * The e-mail a visitor gets when they ask for the transcript: what they saw in the chat (their lines, the
 * assistant's, the staff's and the notices), in the chat's language. Staff's internal notes are never in a
 * visitor's transcript, so they cannot be in this one.
 */
export function transcriptEmail(language: ChatLanguage, reference: string, entries: ChatEntry[]): { subject: string; text: string } {
  const copy = COPY[language] ?? COPY.lv;
  const time = clock(language, { hour: '2-digit', minute: '2-digit', hour12: false });
  const first = entries[0] ? new Date(entries[0].at) : new Date();
  const lines = entries.map((e) => {
    const who =
      e.author === 'visitor'
        ? copy.visitor
        : e.author === 'assistant'
          ? copy.assistant
          : e.author === 'agent'
            ? (e.name ?? copy.agent)
            : copy.system;
    const files = (e.attachments ?? []).map((a) => `\n    (${copy.file}: ${a.filename})`).join('');
    const text = e.text.replace(/\r?\n/g, '\n    ');
    return `[${time.format(new Date(e.at))}] ${who}: ${text}${files}`;
  });
  return {
    subject: copy.subject(reference),
    text: `${copy.intro(reference, clock(language, { dateStyle: 'long' }).format(first))}\n\n${lines.join('\n\n')}\n\n-- \n${copy.footer}\n`,
  };
}
