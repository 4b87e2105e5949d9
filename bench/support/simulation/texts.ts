/** What simulated citizens ask about: real services of the seeded institutions, in Latvian, Russian and English. */
export interface Question {
  institution: string;
  topic: string;
  kind: 'question' | 'application' | 'complaint' | 'consultation';
  subject: string;
  text: string;
}

type Language = 'lv' | 'ru' | 'en';

const QUESTIONS: Record<Language, Question[]> = {
  lv: [
    {
      institution: 'VSAA',
      topic: 'pensijas',
      kind: 'question',
      subject: 'Par vecuma pensiju',
      text: 'Labdien! Kā pieteikties vecuma pensijai, un kādi dokumenti ir vajadzīgi?',
    },
    {
      institution: 'VSAA',
      topic: 'pabalsti',
      kind: 'application',
      subject: 'Bērna kopšanas pabalsts',
      text: 'Vēlos pieteikties bērna kopšanas pabalstam. Kur to var izdarīt?',
    },
    {
      institution: 'VID',
      topic: 'deklaracijas',
      kind: 'question',
      subject: 'Gada ienākumu deklarācija',
      text: 'Kā iesniegt gada ienākumu deklarāciju EDS un līdz kuram datumam?',
    },
    {
      institution: 'VID',
      topic: 'nodokli',
      kind: 'complaint',
      subject: 'Nodokļa pārmaksa',
      text: 'Man joprojām nav atmaksāta nodokļa pārmaksa par pagājušo gadu.',
    },
    {
      institution: 'NVA',
      topic: 'bezdarbs',
      kind: 'question',
      subject: 'Bezdarbnieka statuss',
      text: 'Kā saņemt bezdarbnieka pabalstu un reģistrēties NVA?',
    },
    {
      institution: 'PMLP',
      topic: 'pases',
      kind: 'question',
      subject: 'Pases atjaunošana',
      text: 'Cik ilgi jāgaida jaunā pase un kur to var pieteikt?',
    },
    {
      institution: 'PMLP',
      topic: 'dzivesvieta',
      kind: 'application',
      subject: 'Dzīvesvietas deklarēšana',
      text: 'Kur deklarēt dzīvesvietu pēc pārcelšanās uz citu novadu?',
    },
    {
      institution: 'VZD',
      topic: 'kadastrs',
      kind: 'question',
      subject: 'Kadastrālā vērtība',
      text: 'Kā uzzināt sava zemesgabala kadastrālo vērtību?',
    },
    {
      institution: 'LAD',
      topic: 'platibu-maksajumi',
      kind: 'question',
      subject: 'Platību maksājumi',
      text: 'Kad tiks izmaksāti platību maksājumi par šo sezonu?',
    },
    {
      institution: 'UR',
      topic: 'uznemumi',
      kind: 'application',
      subject: 'SIA reģistrācija',
      text: 'Kā reģistrēt jaunu SIA un cik tas maksā?',
    },
  ],
  ru: [
    {
      institution: 'VSAA',
      topic: 'pensijas',
      kind: 'question',
      subject: 'О пенсии по старости',
      text: 'Здравствуйте! Как подать заявление на пенсию по старости?',
    },
    {
      institution: 'VID',
      topic: 'deklaracijas',
      kind: 'question',
      subject: 'Декларация о доходах',
      text: 'Как подать годовую декларацию о доходах через СЭД?',
    },
    { institution: 'PMLP', topic: 'pases', kind: 'question', subject: 'Паспорт', text: 'Сколько времени делается новый паспорт?' },
    {
      institution: 'NVA',
      topic: 'bezdarbs',
      kind: 'question',
      subject: 'Пособие по безработице',
      text: 'Как получить пособие по безработице?',
    },
  ],
  en: [
    {
      institution: 'PMLP',
      topic: 'uzturesanas-atlauja',
      kind: 'question',
      subject: 'Residence permit',
      text: 'How do I renew my residence permit in Latvia?',
    },
    { institution: 'VID', topic: 'nodokli', kind: 'question', subject: 'Tax refund', text: 'When will I receive my income tax refund?' },
    { institution: 'VSAA', topic: 'pabalsti', kind: 'question', subject: 'Child benefit', text: 'How do I apply for the child benefit?' },
  ],
};

const NAMES: Array<[string, string]> = [
  ['Jānis', 'Bērziņš'],
  ['Anna', 'Kalniņa'],
  ['Pēteris', 'Ozols'],
  ['Ilze', 'Liepiņa'],
  ['Andris', 'Jansons'],
  ['Līga', 'Krūmiņa'],
  ['Olga', 'Ivanova'],
  ['Sergejs', 'Petrovs'],
  ['Rūta', 'Zariņa'],
  ['Māris', 'Vītols'],
  ['Kristīne', 'Eglīte'],
  ['Edgars', 'Siliņš'],
];

export const LANGUAGE_SHARES = { lv: 75, ru: 20, en: 5 } as const;

export function questionsIn(language: Language): Question[] {
  return QUESTIONS[language];
}

export const names = NAMES;

/** What an operator writes back, and what a specialist hands back with. */
export const REPLIES: Record<Language, string> = {
  lv: 'Labdien! Paldies par jautājumu. Informāciju un pieteikšanos atradīsiet Latvija.lv; ja vēl ir jautājumi, rakstiet.',
  ru: 'Здравствуйте! Спасибо за вопрос. Информацию и подачу заявления вы найдёте на Latvija.lv.',
  en: 'Hello! Thank you for your question. You will find the information and the application on Latvija.lv.',
};
export const ESCALATION_REASONS = ['Vajadzīgi dati no iestādes sistēmām', 'Nepieciešams iestādes lēmums', 'Jāpārbauda maksājumu vēsture'];
export const HAND_BACK = 'Pārbaudīju iestādes sistēmā: iesniegums ir saņemts un tiks izskatīts 10 darba dienu laikā.';

/** What a chat visitor types to be passed from the assistant to a person. */
export const ASK_FOR_PERSON: Record<Language, string> = {
  lv: 'Gribu runāt ar operatoru',
  ru: 'Хочу поговорить с оператором',
  en: 'I want to talk to a person',
};
