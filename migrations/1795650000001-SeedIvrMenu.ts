import { MigrationInterface, QueryRunner } from 'typeorm';

type L = { lv: string; en: string; ru: string };
type Row = [
  key: string,
  parent: string | null,
  digit: string | null,
  kind: 'menu' | 'answer' | 'operator',
  institution: string | null,
  topic: string | null,
  title: L | null,
  prompt: L | null,
];

/**
 * The first IVR menu of the centre's line: language is chosen before this (Latvian first), then an institution,
 * then either an answer read out at level 0 or an operator. Administrators change it through /v1/admin/ivr.
 */
const MENU: Row[] = [
  [
    'main',
    null,
    null,
    'menu',
    null,
    null,
    null,
    {
      lv: 'Labdien! Jūs esat sazvanījis valsts pārvaldes pakalpojumu informatīvo tālruni.',
      en: 'Hello, you have reached the information line for state administration services.',
      ru: 'Здравствуйте! Вы позвонили на информационную линию государственных услуг.',
    },
  ],
  [
    'vsaa',
    'main',
    '1',
    'menu',
    'VSAA',
    null,
    {
      lv: 'Pensijas un sociālie pabalsti, Valsts sociālās apdrošināšanas aģentūra',
      en: 'Pensions and social benefits, the State Social Insurance Agency',
      ru: 'Пенсии и социальные пособия, Государственное агентство социального страхования',
    },
    {
      lv: 'Valsts sociālās apdrošināšanas aģentūra.',
      en: 'State Social Insurance Agency.',
      ru: 'Государственное агентство социального страхования.',
    },
  ],
  [
    'vsaa-payment-dates',
    'vsaa',
    '1',
    'answer',
    'VSAA',
    'payment-dates',
    { lv: 'pensiju un pabalstu izmaksas datumi', en: 'payment dates of pensions and benefits', ru: 'даты выплаты пенсий и пособий' },
    {
      lv: 'Pensijas un pabalstus izmaksā katru mēnesi jūsu izvēlētajā datumā. Savu izmaksas datumu un summu redzat portālā Latvija.lv, e-pakalpojumā "Mani dati sociālās apdrošināšanas informācijas sistēmā". Ja izmaksas diena ir brīvdiena, naudu pārskaita iepriekšējā darbdienā.',
      en: 'Pensions and benefits are paid every month on the date you chose. You can see your payment date and amount on the Latvija.lv portal, in the service "My data in the social insurance information system". When the payment day is a holiday, the money is transferred on the working day before.',
      ru: 'Пенсии и пособия выплачиваются ежемесячно в выбранную вами дату. Дату и сумму выплаты можно увидеть на портале Latvija.lv в услуге «Мои данные в информационной системе социального страхования». Если день выплаты выпадает на выходной, деньги перечисляются в предыдущий рабочий день.',
    },
  ],
  [
    'vsaa-how-to-apply',
    'vsaa',
    '2',
    'answer',
    'VSAA',
    'documents',
    { lv: 'kā pieteikties pabalstam', en: 'how to apply for a benefit', ru: 'как подать заявление на пособие' },
    {
      lv: 'Iesniegumu pabalstam var iesniegt portālā Latvija.lv, jebkurā valsts un pašvaldības vienotajā klientu apkalpošanas centrā vai aģentūras nodaļā. Klātienē ņemiet līdzi pasi vai personas apliecību. Lēmumu pieņem desmit darbdienu laikā.',
      en: 'You can apply on the Latvija.lv portal, at any state and municipal unified customer service centre, or at an agency office. In person, bring your passport or identity card. The decision is taken within ten working days.',
      ru: 'Заявление можно подать на портале Latvija.lv, в любом едином центре обслуживания клиентов или в отделении агентства. При личном визите возьмите с собой паспорт или ID-карту. Решение принимается в течение десяти рабочих дней.',
    },
  ],
  ['vsaa-operator', 'vsaa', '3', 'operator', 'VSAA', null, { lv: 'citi jautājumi', en: 'other questions', ru: 'другие вопросы' }, null],
  [
    'vid',
    'main',
    '2',
    'menu',
    'VID',
    null,
    {
      lv: 'Nodokļi un deklarācijas, Valsts ieņēmumu dienests',
      en: 'Taxes and declarations, the State Revenue Service',
      ru: 'Налоги и декларации, Служба государственных доходов',
    },
    { lv: 'Valsts ieņēmumu dienests.', en: 'State Revenue Service.', ru: 'Служба государственных доходов.' },
  ],
  [
    'vid-annual-declaration',
    'vid',
    '1',
    'answer',
    'VID',
    'annual-declaration',
    { lv: 'gada ienākumu deklarācija', en: 'the annual income declaration', ru: 'годовая декларация о доходах' },
    {
      lv: 'Gada ienākumu deklarāciju par iepriekšējo gadu iesniedz Elektroniskās deklarēšanas sistēmā no 1. marta līdz 1. jūnijam. Pārmaksāto nodokli atmaksā 30 dienu laikā pēc deklarācijas iesniegšanas.',
      en: 'The annual income declaration for the previous year is filed in the Electronic Declaration System from 1 March to 1 June. Overpaid tax is refunded within 30 days of filing.',
      ru: 'Годовую декларацию о доходах за прошлый год подают в Системе электронного декларирования с 1 марта по 1 июня. Переплаченный налог возвращается в течение 30 дней после подачи декларации.',
    },
  ],
  [
    'vid-opening-hours',
    'vid',
    '2',
    'answer',
    'VID',
    'opening-hours',
    {
      lv: 'klientu apkalpošanas centru darba laiks',
      en: 'opening hours of the customer service centres',
      ru: 'часы работы центров обслуживания',
    },
    {
      lv: 'Valsts ieņēmumu dienesta klientu apkalpošanas centri strādā darbdienās no pulksten 8.30 līdz 16.30, pirmssvētku dienās par stundu īsāk. Svētku dienās centri ir slēgti.',
      en: 'The State Revenue Service customer service centres are open on working days from 8.30 to 16.30, one hour shorter on the day before a public holiday, and closed on public holidays.',
      ru: 'Центры обслуживания Службы государственных доходов работают по рабочим дням с 8.30 до 16.30, в предпраздничные дни на час меньше. В праздничные дни центры закрыты.',
    },
  ],
  ['vid-operator', 'vid', '3', 'operator', 'VID', null, { lv: 'citi jautājumi', en: 'other questions', ru: 'другие вопросы' }, null],
  [
    'pmlp',
    'main',
    '3',
    'menu',
    'PMLP',
    null,
    {
      lv: 'Pases, personas apliecības un dzīvesvieta, Pilsonības un migrācijas lietu pārvalde',
      en: 'Passports, identity cards and residence, the Office of Citizenship and Migration Affairs',
      ru: 'Паспорта, ID-карты и место жительства, Управление по делам гражданства и миграции',
    },
    {
      lv: 'Pilsonības un migrācijas lietu pārvalde.',
      en: 'Office of Citizenship and Migration Affairs.',
      ru: 'Управление по делам гражданства и миграции.',
    },
  ],
  [
    'pmlp-documents',
    'pmlp',
    '1',
    'answer',
    'PMLP',
    'identity-documents',
    { lv: 'pases vai personas apliecības saņemšana', en: 'getting a passport or identity card', ru: 'получение паспорта или ID-карты' },
    {
      lv: 'Pasi vai personas apliecību pieprasa Pilsonības un migrācijas lietu pārvaldes nodaļā vai vienotajā klientu apkalpošanas centrā. Ņemiet līdzi esošo dokumentu; fotografē uz vietas. Parastā kārtā dokuments ir gatavs desmit darbdienās.',
      en: 'Apply for a passport or identity card at an office of the Office of Citizenship and Migration Affairs or a unified customer service centre. Bring your current document; the photo is taken there. The standard time is ten working days.',
      ru: 'Паспорт или ID-карту заказывают в отделении Управления по делам гражданства и миграции или в едином центре обслуживания. Возьмите с собой действующий документ; фотографируют на месте. Обычный срок изготовления десять рабочих дней.',
    },
  ],
  [
    'pmlp-residence',
    'pmlp',
    '2',
    'answer',
    'PMLP',
    'declared-residence',
    { lv: 'dzīvesvietas deklarēšana', en: 'declaring your place of residence', ru: 'декларирование места жительства' },
    {
      lv: 'Dzīvesvietu var deklarēt portālā Latvija.lv, e-pakalpojumā "Dzīvesvietas deklarēšana", vai pašvaldībā. Tas jādara mēneša laikā pēc pārcelšanās.',
      en: 'You can declare your place of residence on Latvija.lv, in the service "Declaration of place of residence", or at your municipality, within one month of moving.',
      ru: 'Место жительства можно задекларировать на портале Latvija.lv в услуге «Декларирование места жительства» или в самоуправлении в течение месяца после переезда.',
    },
  ],
  ['pmlp-operator', 'pmlp', '3', 'operator', 'PMLP', null, { lv: 'citi jautājumi', en: 'other questions', ru: 'другие вопросы' }, null],
  [
    'latvija-lv',
    'main',
    '4',
    'menu',
    'VDAA',
    null,
    {
      lv: 'Portāls Latvija.lv un oficiālā e-adrese',
      en: 'The Latvija.lv portal and the official e-address',
      ru: 'Портал Latvija.lv и официальный э-адрес',
    },
    { lv: 'Portāls Latvija.lv.', en: 'The Latvija.lv portal.', ru: 'Портал Latvija.lv.' },
  ],
  [
    'latvija-lv-login',
    'latvija-lv',
    '1',
    'answer',
    'VDAA',
    'login',
    { lv: 'pieslēgšanās portālam', en: 'signing in to the portal', ru: 'вход на портал' },
    {
      lv: 'Portālam Latvija.lv var pieslēgties ar eParakstu, eParaksts mobile, eID karti vai internetbankas pieslēgumu. Ja pieslēgšanās neizdodas, pārbaudiet, vai jūsu pārlūkprogramma ir atjaunināta.',
      en: 'You can sign in to Latvija.lv with eParaksts, eParaksts mobile, an eID card or your internet bank. If signing in fails, check that your browser is up to date.',
      ru: 'На портал Latvija.lv можно войти с помощью eParaksts, eParaksts mobile, eID-карты или интернет-банка. Если вход не удаётся, проверьте, обновлён ли ваш браузер.',
    },
  ],
  [
    'latvija-lv-e-address',
    'latvija-lv',
    '2',
    'answer',
    'VDAA',
    'e-address',
    { lv: 'oficiālā e-adrese', en: 'the official e-address', ru: 'официальный э-адрес' },
    {
      lv: 'Oficiālo e-adresi izveido portālā Latvija.lv sadaļā "Mana e-adrese". Uz to iestādes sūta jums oficiālus paziņojumus, tāpēc ieslēdziet paziņojumus savā e-pastā.',
      en: 'Create your official e-address on Latvija.lv under "My e-address". Institutions send you official notices there, so turn on notifications to your e-mail.',
      ru: 'Официальный э-адрес создаётся на портале Latvija.lv в разделе «Мой э-адрес». Учреждения отправляют туда официальные уведомления, поэтому включите оповещения на свою электронную почту.',
    },
  ],
  [
    'latvija-lv-operator',
    'latvija-lv',
    '3',
    'operator',
    'VDAA',
    null,
    { lv: 'citi jautājumi', en: 'other questions', ru: 'другие вопросы' },
    null,
  ],
  [
    'vpvkac-hours',
    'main',
    '5',
    'answer',
    null,
    'opening-hours',
    {
      lv: 'klientu apkalpošanas centru adreses un darba laiks',
      en: 'addresses and opening hours of the customer service centres',
      ru: 'адреса и часы работы центров обслуживания',
    },
    {
      lv: 'Valsts un pašvaldību vienotie klientu apkalpošanas centri ir katrā novadā. Tuvāko centru, tā adresi un darba laiku atradīsiet portālā Latvija.lv sadaļā "Klientu apkalpošanas centri". Vairums centru strādā darbdienās no 8 līdz 17.',
      en: 'There is a state and municipal unified customer service centre in every municipality. Find the nearest one, its address and opening hours on Latvija.lv under "Customer service centres". Most are open on working days from 8 to 17.',
      ru: 'Единые центры обслуживания клиентов есть в каждом крае. Ближайший центр, его адрес и часы работы можно найти на портале Latvija.lv в разделе «Центры обслуживания клиентов». Большинство центров работают по рабочим дням с 8 до 17.',
    },
  ],
];

export class SeedIvrMenu1795650000001 implements MigrationInterface {
  name = 'SeedIvrMenu1795650000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [key, parent, digit, kind, institution, topic, title, prompt] of MENU) {
      const promptJson = prompt ? Object.fromEntries(Object.entries(prompt).map(([lang, text]) => [lang, { text }])) : {};
      await queryRunner.query(
        `INSERT INTO ivr_nodes (key, parent_key, digit, kind, institution_code, topic, title, prompt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING`,
        [key, parent, digit, kind, institution, topic, JSON.stringify(title ?? {}), JSON.stringify(promptJson)],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM ivr_nodes WHERE key = ANY($1)`, [MENU.map((r) => r[0])]);
  }
}
