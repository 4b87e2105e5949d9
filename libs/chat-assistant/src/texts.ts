export type ChatLanguage = 'lv' | 'ru' | 'en';

/** What the assistant says, in the visitor's language. Kept short: a chat is read on a phone. */
export const TEXTS = {
  greeting: {
    lv: 'Labdien! Esmu virtuālais asistents. Uzrakstiet savu jautājumu, vai rakstiet "operators", lai runātu ar cilvēku.',
    ru: 'Здравствуйте! Я виртуальный ассистент. Задайте вопрос или напишите «оператор», чтобы поговорить с человеком.',
    en: 'Hello! I am the virtual assistant. Ask your question, or write "operator" to talk to a person.',
  },
  closedGreeting: {
    lv: 'Šobrīd konsultanti nestrādā (nākamreiz: {opening}). Varu atbildēt no zināšanu bāzes vai pieņemt jūsu ziņu.',
    ru: 'Сейчас консультанты не работают (следующий раз: {opening}). Я могу ответить из базы знаний или принять ваше сообщение.',
    en: 'Our consultants are away now (back {opening}). I can answer from the knowledge base or take a message.',
  },
  didThisHelp: {
    lv: 'Vai tas palīdzēja?',
    ru: 'Это помогло?',
    en: 'Did this help?',
  },
  choices: {
    lv: 'Neesmu pārliecināts. Vai jūs domājāt kādu no šiem?',
    ru: 'Я не уверен. Вы имели в виду одно из этого?',
    en: 'I am not sure. Did you mean one of these?',
  },
  noMatch: {
    lv: 'Diemžēl neatradu atbildi. Pamēģiniet jautāt citiem vārdiem vai rakstiet "operators".',
    ru: 'К сожалению, я не нашёл ответа. Попробуйте переформулировать или напишите «оператор».',
    en: 'Sorry, I found no answer. Try other words, or write "operator".',
  },
  handingOver: {
    lv: 'Nododu sarunu konsultantam. Lūdzu, uzgaidiet.',
    ru: 'Передаю разговор консультанту. Пожалуйста, подождите.',
    en: 'I am passing you to a consultant. Please wait.',
  },
  leaveMessage: {
    lv: 'Konsultanti šobrīd nestrādā. Uzrakstiet savu ziņu (un e-pastu, ja vēlaties atbildi pa e-pastu) — atbildēsim {opening}.',
    ru: 'Консультанты сейчас не работают. Напишите сообщение (и e-mail, если хотите ответ по почте) — мы ответим {opening}.',
    en: 'Our consultants are away. Write your message (and your e-mail if you want the answer by mail) — we will answer {opening}.',
  },
  messageTaken: {
    lv: 'Paldies, ziņa saņemta. Atbildēsim {opening}.',
    ru: 'Спасибо, сообщение получено. Мы ответим {opening}.',
    en: 'Thank you, your message is recorded. We will answer {opening}.',
  },
  gladItHelped: {
    lv: 'Priecājos, ka palīdzēju! Vai vēl kaut ko?',
    ru: 'Рад помочь! Что-нибудь ещё?',
    en: 'Glad it helped! Anything else?',
  },
  sorryNotHelped: {
    lv: 'Žēl. Pajautājiet citiem vārdiem vai rakstiet "operators".',
    ru: 'Жаль. Спросите иначе или напишите «оператор».',
    en: 'Sorry about that. Ask in other words, or write "operator".',
  },
  rateConversation: {
    lv: 'Lūdzu, novērtējiet sarunu no 1 līdz 5 (5 – ļoti labi).',
    ru: 'Пожалуйста, оцените разговор от 1 до 5 (5 — очень хорошо).',
    en: 'Please rate the conversation from 1 to 5 (5 is very good).',
  },
  operatorJoined: {
    lv: '{name} pievienojās sarunai.',
    ru: '{name} присоединился(-ась) к разговору.',
    en: '{name} joined the chat.',
  },
  feedbackYes: {
    lv: 'Jā, tas palīdzēja.',
    ru: 'Да, это помогло.',
    en: 'Yes, that helped.',
  },
  feedbackNo: {
    lv: 'Nē, tas nepalīdzēja.',
    ru: 'Нет, это не помогло.',
    en: 'No, that did not help.',
  },
  visitorLeft: {
    lv: 'Apmeklētājs beidza sarunu.',
    ru: 'Посетитель завершил разговор.',
    en: 'The visitor ended the chat.',
  },
  operatorEnded: {
    lv: 'Konsultants beidza sarunu.',
    ru: 'Консультант завершил разговор.',
    en: 'The consultant ended the chat.',
  },
  closed: {
    lv: 'Saruna beigusies. Paldies!',
    ru: 'Разговор завершён. Спасибо!',
    en: 'The chat has ended. Thank you!',
  },
} satisfies Record<string, Record<ChatLanguage, string>>;

export type TextKey = keyof typeof TEXTS;

export function say(key: TextKey, language: ChatLanguage, values: Record<string, string> = {}): string {
  return TEXTS[key][language].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}
