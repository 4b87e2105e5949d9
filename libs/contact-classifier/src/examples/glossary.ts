import type { LabelledExample } from '../classifier';

/**
 * Each institution's names and the words of its services, in Latvian, Russian and English: what a citizen who
 * knows what they need will say, in whichever language they write. Few examples per language cannot cover every
 * word of a service, and a word the model has never seen counts for nothing; the glossary gives every institution
 * its vocabulary in all three languages. Learned like examples, never used to measure the model.
 */
const GLOSSARY: Record<string, [lv: string, ru: string, en: string]> = {
  VSAA: [
    'VSAA Valsts sociālās apdrošināšanas aģentūra pensija vecuma pensija pensionārs pensionēšanās indeksācija stāžs apdrošināšanas iemaksas pabalsts vecāku pabalsts bērna kopšanas pabalsts maternitātes paternitātes slimības pabalsts darbnespējas lapa B bezdarbnieka pabalsts invaliditātes pensija apbedīšanas pabalsts Mani dati VSAA',
    'VSAA Государственное агентство социального страхования пенсия пенсионер пенсия по старости индексация стаж социальные взносы пособие родительское пособие по уходу за ребёнком декретные отцовство пособие по болезни больничный лист пособие по безработице пенсия по инвалидности пособие на погребение',
    'VSAA State Social Insurance Agency pension pensioner old-age retirement indexation insurance period social contributions benefit parental benefit childcare maternity paternity sickness benefit sick leave unemployment benefit disability pension funeral allowance',
  ],
  VID: [
    'VID Valsts ieņēmumu dienests nodoklis nodokļi IIN iedzīvotāju ienākuma nodoklis gada ienākumu deklarācija attaisnotie izdevumi nodokļa atmaksa pārmaksa EDS elektroniskā deklarēšanas sistēma nodokļu parāds vienotais nodokļu konts PVN pievienotās vērtības nodoklis saimnieciskā darbība pašnodarbinātais mikrouzņēmums algas nodokļu grāmatiņa neapliekamais minimums muita akcīze',
    'VID СГД Служба государственных доходов налог налоги подоходный налог годовая декларация о доходах оправданные расходы возврат налога переплата EDS система электронного декларирования налоговый долг единый налоговый счёт НДС PVN хозяйственная деятельность самозанятый микропредприятие налоговая книжка необлагаемый минимум таможня акциз',
    'VID State Revenue Service tax taxes personal income tax annual income declaration tax return eligible expenses tax refund overpayment EDS electronic declaration system tax arrears tax debt tax account VAT value added tax self-employed business activity microenterprise payroll tax book non-taxable minimum customs excise',
  ],
  NVA: [
    'NVA Nodarbinātības valsts aģentūra bezdarbnieks bezdarbnieka statuss darba meklētājs darba meklēšana vakance vakances CV un vakanču portāls karjeras konsultants apmācības kursi mācību kupons pārkvalifikācija tālākizglītība subsidētā darba vieta skolēnu vasaras darbs',
    'NVA Государственное агентство занятости безработный статус безработного ищущий работу поиск работы вакансия вакансии CV портал вакансий карьерный консультант обучение курсы ваучер на обучение переквалификация субсидированное рабочее место летняя работа для школьников',
    'NVA State Employment Agency unemployed unemployment status jobseeker job search vacancy vacancies CV portal career counsellor training courses training voucher retraining requalification subsidised job summer jobs for pupils',
  ],
  LAD: [
    'LAD Lauku atbalsta dienests lauksaimnieks lauksaimniecība zemnieku saimniecība platību maksājumi vienotais platības maksājums vienotais iesniegums EPS elektroniskā pieteikšanās sistēma lauku bloks hektāri zālājs sējumi ekoshēmas bioloģiskā lauksaimniecība investīciju atbalsts projekts lauku attīstības programma LEADER saistītais atbalsts slaucamās govis aitas biškopība mežs',
    'LAD Служба поддержки села фермер сельское хозяйство крестьянское хозяйство площадные платежи единый платёж за площадь единая заявка EPS электронная система полевой блок гектары луг посевы экосхемы органическое земледелие инвестиционная поддержка проект программа развития села LEADER связанная поддержка дойные коровы овцы пчеловодство лес',
    'LAD Rural Support Service farmer farming agriculture farm area payments basic area payment single application EPS electronic application system field block hectares grassland crops eco-schemes organic farming investment support project rural development programme LEADER coupled support dairy cows sheep beekeeping forest',
  ],
  VZD: [
    'VZD Valsts zemes dienests kadastrs Nekustamā īpašuma valsts kadastra informācijas sistēma kadastra numurs kadastrālā uzmērīšana mērnieks zemes vienība robežas robežzīmes kadastra karte kadastrālā vērtība ēkas reģistrācija kadastrā platība adrese adrešu reģistrs kadastrs.lv',
    'VZD Государственная земельная служба кадастр кадастровая информационная система кадастровый номер кадастровое обмеривание землемер земельный участок границы участка кадастровая карта кадастровая стоимость регистрация здания в кадастре площадь адрес регистр адресов',
    'VZD State Land Service cadastre real estate cadastre information system cadastral number cadastral survey land surveyor land unit plot boundaries cadastral map cadastral value valuation building registration area address address register',
  ],
  PMLP: [
    'PMLP Pilsonības un migrācijas lietu pārvalde pase personas apliecība eID karte nozaudēta pase nozagta dokumenta derīgums uzturēšanās atļauja termiņuzturēšanās pastāvīgā uzturēšanās reģistrācijas apliecība ES pilsonis vīza ielūgums pilsonība naturalizācija dubultpilsonība dzīvesvietas deklarēšana deklarētā adrese fotografēšana',
    'PMLP Управление по делам гражданства и миграции паспорт удостоверение личности ID-карта eID потерял паспорт украден документ вид на жительство временный вид на жительство постоянный вид на жительство регистрационное удостоверение гражданин ЕС виза приглашение гражданство натурализация двойное гражданство декларирование места жительства задекларированный адрес выписать',
    'PMLP Office of Citizenship and Migration Affairs passport identity card ID card eID lost passport stolen document residence permit temporary residence permanent residence registration certificate EU citizen visa invitation citizenship naturalisation dual citizenship declared place of residence declared address',
  ],
  VDI: [
    'VDI Valsts darba inspekcija darba līgums darba devējs darbinieks alga neizmaksāta alga atlaišana uzteikums pārbaudes laiks virsstundas darba laiks atvaļinājums nelegāla nodarbinātība aploksnē darba aizsardzība darba drošība aizsardzības līdzekļi riska novērtējums instruktāža nelaimes gadījums darbā trauma darbā',
    'VDI Государственная инспекция труда трудовой договор работодатель работник зарплата невыплата зарплаты увольнение предупреждение испытательный срок сверхурочные рабочее время отпуск нелегальная работа в конверте охрана труда безопасность на работе средства защиты оценка рисков инструктаж несчастный случай на работе травма на работе',
    'VDI State Labour Inspectorate employment contract employer employee salary wages unpaid wages dismissal notice probation period overtime working time annual leave undeclared work envelope wages occupational safety safety at work protective equipment risk assessment safety briefing accident at work injury at work',
  ],
  UR: [
    'UR Uzņēmumu reģistrs komercreģistrs uzņēmums SIA sabiedrība ar ierobežotu atbildību individuālais komersants biedrība nodibinājums reģistrācija statūti pamatkapitāls valdes loceklis dalībnieks juridiskā adrese patiesais labuma guvējs likvidācija gada pārskats izziņa no reģistra izraksts komercķīla maksātnespējas reģistrs laulāto mantisko attiecību reģistrs',
    'UR Регистр предприятий коммерческий регистр предприятие фирма ООО SIA индивидуальный коммерсант общество фонд регистрация устав уставный капитал член правления участник юридический адрес истинный выгодоприобретатель ликвидация годовой отчёт выписка из регистра коммерческий залог регистр неплатёжеспособности',
    'UR Register of Enterprises commercial register company enterprise limited liability company SIA sole trader association foundation registration articles of association share capital board member shareholder legal address beneficial owner liquidation annual report extract from the register commercial pledge insolvency register',
  ],
  VDAA: [
    'VDAA Valsts digitālās attīstības aģentūra Latvija.lv portāls valsts pārvaldes pakalpojumu portāls e-pakalpojums e-pakalpojumi autentifikācija pieslēgties internetbanka eParaksts Smart-ID e-adrese oficiālā elektroniskā adrese paziņojumi pilnvarošana tehniska kļūda',
    'VDAA Государственное агентство цифрового развития Latvija.lv портал государственных услуг э-услуга э-услуги аутентификация войти интернет-банк eParaksts Smart-ID e-adrese официальный электронный адрес уведомления уполномочить техническая ошибка',
    'VDAA State Digital Development Agency Latvija.lv portal state services portal e-service e-services authentication log in internet bank eParaksts Smart-ID e-address official electronic address notifications authorise technical error',
  ],
  RIGA: [
    'RIGA Rīga Rīgas valstspilsētas pašvaldība Rīgas dome Rīgā Rīgas Sociālais dienests bērnudārzs Rīgas iedzīvotāja karte Rīgas satiksme Rīgas būvvalde Rīgas pašvaldības dzīvoklis nekustamā īpašuma nodoklis Rīgā Imanta Purvciems Teika Ziepniekkalns Ķengarags',
    'RIGA Рига Рижская дума самоуправление Риги в Риге рижский Рижская социальная служба детский сад карта жителя Риги Rīgas satiksme рижская стройуправа муниципальная квартира в Риге налог на недвижимость в Риге Иманта Пурвциемс Кенгарагс',
    'RIGA Riga Riga City Municipality Riga City Council in Riga Riga Social Service kindergarten Riga resident card Rigas satiksme Riga building board municipal housing in Riga property tax in Riga',
  ],
  DAUGAVPILS: [
    'DAUGAVPILS Daugavpils Daugavpils valstspilsētas pašvaldība Daugavpils dome Daugavpilī Daugavpils sociālais dienests bērnudārzs Daugavpils satiksme tramvajs Daugavpils būvvalde pašvaldības dzīvoklis Daugavpilī nekustamā īpašuma nodoklis Daugavpilī Grīva Ķīmiķi Jaunbūve Cietoksnis Latgale',
    'DAUGAVPILS Даугавпилс Даугавпилсская дума самоуправление Даугавпилса в Даугавпилсе даугавпилсский Даугавпилсская социальная служба детский сад трамвай Daugavpils satiksme стройуправа муниципальная квартира в Даугавпилсе налог на недвижимость в Даугавпилсе Грива Химики Крепость Латгалия',
    'DAUGAVPILS Daugavpils Daugavpils City Municipality Daugavpils City Council in Daugavpils Daugavpils social service kindergarten tram Daugavpils building board municipal housing in Daugavpils property tax in Daugavpils',
  ],
  LIEPAJA: [
    'LIEPAJA Liepāja Liepājas valstspilsētas pašvaldība Liepājas dome Liepājā Liepājas sociālais dienests bērnudārzs Liepājas tramvajs Liepājas būvvalde pašvaldības dzīvoklis Liepājā nekustamā īpašuma nodoklis Liepājā Karosta Ezerkrasts Pētertirgus pludmale Kurzeme',
    'LIEPAJA Лиепая Лиепайская дума самоуправление Лиепаи в Лиепае лиепайский Лиепайская социальная служба детский сад лиепайский трамвай стройуправа муниципальная квартира в Лиепае налог на недвижимость в Лиепае Кароста Курземе пляж',
    'LIEPAJA Liepaja Liepaja City Municipality Liepaja City Council in Liepaja Liepaja social service kindergarten Liepaja tram Liepaja building board municipal housing in Liepaja property tax in Liepaja Karosta beach',
  ],
};

export const GLOSSARY_EXAMPLES: readonly LabelledExample[] = Object.entries(GLOSSARY).flatMap(([institution, texts]) =>
  texts.map((text, i) => ({ text, language: (['lv', 'ru', 'en'] as const)[i], institution, topic: null, kind: null })),
);
