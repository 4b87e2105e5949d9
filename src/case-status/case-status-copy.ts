/** The words of the citizens' case-status answer and page, in the three languages the centre answers in. */
export const CASE_LANGUAGES = ['lv', 'ru', 'en'] as const;
export type CaseLanguage = (typeof CASE_LANGUAGES)[number];

/** A ticket's status as the citizen understands it; the staff's finer statuses are not theirs to see. */
export type PublicStatus = 'received' | 'in_progress' | 'waiting_for_you' | 'with_institution' | 'resolved' | 'closed';

export function publicStatus(status: string): PublicStatus {
  switch (status) {
    case 'assigned':
      return 'in_progress';
    case 'pending_customer':
      return 'waiting_for_you';
    case 'pending_institution':
      return 'with_institution';
    case 'resolved':
      return 'resolved';
    case 'closed':
      return 'closed';
    default:
      return 'received'; // new, bot, queued: registered and waiting for a person
  }
}

export interface CaseCopy {
  title: string;
  intro: string;
  referenceLabel: string;
  referenceHint: string;
  contactLabel: string;
  contactHint: string;
  submit: string;
  notFound: string;
  expired: string;
  tooMany: string;
  invalid: string;
  statusLabel: string;
  levelLabel: string;
  institutionLabel: string;
  referredNote: string;
  receivedLabel: string;
  dueLabel: string;
  noDue: string;
  lastUpdateLabel: string;
  mergedNote: (reference: string) => string;
  another: string;
  languageNav: string;
  status: Record<PublicStatus, string>;
  level: Record<number, string>;
  update: Record<'received' | 'answered' | 'resolved' | 'closed', string>;
  locale: string;
}

export const CASE_COPY: Record<CaseLanguage, CaseCopy> = {
  lv: {
    title: 'Kur ir mans jautājums?',
    intro: 'Ievadiet numuru, ko saņēmāt apstiprinājumā, un e-pasta adresi vai tālruni, no kura sazinājāties ar mums.',
    referenceLabel: 'Reģistrācijas numurs',
    referenceHint: 'Piemēram, VP-2026-000123',
    contactLabel: 'E-pasts vai tālrunis',
    contactHint: 'Tas pats, ko norādījāt, sazinoties ar mums',
    submit: 'Skatīt statusu',
    notFound: 'Neatradām pieteikumu ar šo numuru un kontaktu. Pārbaudiet abus un mēģiniet vēlreiz.',
    expired: 'Saites derīguma termiņš ir beidzies. Ievadiet numuru un kontaktu.',
    tooMany: 'Pārāk daudz mēģinājumu. Lūdzu, mēģiniet vēlāk.',
    invalid: 'Pārbaudiet ievadīto:',
    statusLabel: 'Statuss',
    levelLabel: 'Kas to izskata',
    institutionLabel: 'Iestāde',
    referredNote: 'pārsūtīts iestādei, kas to izskata',
    receivedLabel: 'Saņemts',
    dueLabel: 'Atbildes termiņš',
    noDue: 'nav noteikts',
    lastUpdateLabel: 'Pēdējās izmaiņas',
    mergedNote: (reference) => `Jūsu jautājums ir apvienots ar ${reference}; rādām tā statusu.`,
    another: 'Pārbaudīt citu pieteikumu',
    languageNav: 'Valoda',
    status: {
      received: 'Saņemts, gaida izskatīšanu',
      in_progress: 'Tiek izskatīts',
      waiting_for_you: 'Gaidām jūsu atbildi',
      with_institution: 'Gaidām iestādes atbildi',
      resolved: 'Atbildēts',
      closed: 'Slēgts',
    },
    level: { 0: 'Automātiskais palīgs', 1: 'Kontaktcentra konsultants', 2: 'Iestādes speciālists', 3: 'Iestādes eksperts' },
    update: { received: 'saņemts', answered: 'jums nosūtīta atbilde', resolved: 'atbildēts', closed: 'slēgts' },
    locale: 'lv-LV',
  },
  ru: {
    title: 'Где моё обращение?',
    intro: 'Введите номер из подтверждения и адрес электронной почты или телефон, с которого вы к нам обращались.',
    referenceLabel: 'Регистрационный номер',
    referenceHint: 'Например, VP-2026-000123',
    contactLabel: 'Электронная почта или телефон',
    contactHint: 'Тот же, что вы указали при обращении',
    submit: 'Показать статус',
    notFound: 'Обращение с таким номером и контактом не найдено. Проверьте оба и попробуйте ещё раз.',
    expired: 'Срок действия ссылки истёк. Введите номер и контакт.',
    tooMany: 'Слишком много попыток. Пожалуйста, попробуйте позже.',
    invalid: 'Проверьте введённые данные:',
    statusLabel: 'Статус',
    levelLabel: 'Кто рассматривает',
    institutionLabel: 'Учреждение',
    referredNote: 'передано учреждению, которое его рассматривает',
    receivedLabel: 'Получено',
    dueLabel: 'Срок ответа',
    noDue: 'не установлен',
    lastUpdateLabel: 'Последнее изменение',
    mergedNote: (reference) => `Ваше обращение объединено с ${reference}; показан его статус.`,
    another: 'Проверить другое обращение',
    languageNav: 'Язык',
    status: {
      received: 'Получено, ожидает рассмотрения',
      in_progress: 'Рассматривается',
      waiting_for_you: 'Ожидаем вашего ответа',
      with_institution: 'Ожидаем ответа учреждения',
      resolved: 'Дан ответ',
      closed: 'Закрыто',
    },
    level: { 0: 'Автоматический помощник', 1: 'Консультант контактного центра', 2: 'Специалист учреждения', 3: 'Эксперт учреждения' },
    update: { received: 'получено', answered: 'вам отправлен ответ', resolved: 'дан ответ', closed: 'закрыто' },
    locale: 'ru-RU',
  },
  en: {
    title: 'Where does my case stand?',
    intro: 'Enter the reference from your acknowledgement and the e-mail address or phone number you contacted us from.',
    referenceLabel: 'Reference',
    referenceHint: 'For example, VP-2026-000123',
    contactLabel: 'E-mail or phone',
    contactHint: 'The one you gave when you contacted us',
    submit: 'Show the status',
    notFound: 'We found no case with this reference and contact. Check both and try again.',
    expired: 'This link has expired. Enter the reference and your contact instead.',
    tooMany: 'Too many attempts. Please try again later.',
    invalid: 'Please check what you entered:',
    statusLabel: 'Status',
    levelLabel: 'Who is handling it',
    institutionLabel: 'Institution',
    referredNote: 'forwarded to the institution handling it',
    receivedLabel: 'Received',
    dueLabel: 'Answer due by',
    noDue: 'not set',
    lastUpdateLabel: 'Last update',
    mergedNote: (reference) => `Your case was joined with ${reference}; this is its status.`,
    another: 'Check another case',
    languageNav: 'Language',
    status: {
      received: 'Received, waiting to be handled',
      in_progress: 'Being handled',
      waiting_for_you: 'Waiting for your reply',
      with_institution: 'Waiting for the institution',
      resolved: 'Answered',
      closed: 'Closed',
    },
    level: { 0: 'Automatic assistant', 1: 'Contact-centre adviser', 2: 'Institution specialist', 3: 'Institution expert' },
    update: { received: 'received', answered: 'an answer was sent to you', resolved: 'answered', closed: 'closed' },
    locale: 'en-GB',
  },
};

export const LANGUAGE_NAMES: Record<CaseLanguage, string> = { lv: 'Latviešu', ru: 'Русский', en: 'English' };

export function caseLanguage(value: unknown, fallback: string = 'lv'): CaseLanguage {
  const v = typeof value === 'string' ? value.toLowerCase() : '';
  if ((CASE_LANGUAGES as readonly string[]).includes(v)) return v as CaseLanguage;
  return (CASE_LANGUAGES as readonly string[]).includes(fallback) ? (fallback as CaseLanguage) : 'lv';
}
