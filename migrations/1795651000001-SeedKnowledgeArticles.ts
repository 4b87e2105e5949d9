import { MigrationInterface, QueryRunner } from 'typeorm';

type Seed = [institution: string | null, topic: string, language: 'lv' | 'ru' | 'en', questions: string[], answer: string];

/**
 * A first knowledge base for the seeded institutions: the questions the centre hears most, answered the way an
 * operator would, pointing to the e-service or the office that does it. Amounts, fees and deadlines that change
 * every year are left to the institution's own pages on purpose, so a stale figure is never quoted.
 * The search columns are filled by the application at start (KnowledgeSearchService re-indexes rows whose
 * search_version is behind), so this migration needs no copy of the stemmer.
 */
const ARTICLES: Seed[] = [
  // --- VSAA ---
  [
    'VSAA',
    'bezdarbnieka pabalsts',
    'lv',
    ['Kā saņemt bezdarbnieka pabalstu?', 'Kur pieteikties bezdarbnieka pabalstam?', 'Vai man pienākas bezdarbnieka pabalsts?'],
    'Bezdarbnieka pabalstu piešķir un izmaksā VSAA. Vispirms jāiegūst bezdarbnieka statuss Nodarbinātības valsts aģentūrā (NVA). Pēc tam pabalstu var pieprasīt Latvija.lv e-pakalpojumā "Pieteikums bezdarbnieka pabalsta piešķiršanai", jebkurā VSAA klientu apkalpošanas centrā vai VPVKAC. Pabalsts pienākas, ja pēdējo 16 mēnešu laikā pirms bezdarbnieka statusa iegūšanas apdrošināšanas stāžs ir vismaz 12 mēneši un par jums veiktas bezdarba apdrošināšanas iemaksas. Lēmumu VSAA pieņem 10 darbdienu laikā.',
  ],
  [
    'VSAA',
    'vecuma pensija',
    'lv',
    ['Kā pieteikties vecuma pensijai?', 'Kad es varu saņemt pensiju?', 'Kādi dokumenti vajadzīgi pensijas piešķiršanai?'],
    'Vecuma pensiju piešķir VSAA, ja ir sasniegts pensionēšanās vecums un uzkrāts likumā noteiktais minimālais apdrošināšanas stāžs. Pieteikties var Latvija.lv e-pakalpojumā "Pieteikums vecuma pensijas piešķiršanai", VSAA klientu apkalpošanas centrā vai VPVKAC, ne agrāk kā mēnesi pirms pensionēšanās vecuma sasniegšanas. Ja stāžā jāieskaita periodi, par kuriem VSAA nav ziņu (piemēram, darbs ārzemēs vai studijas pirms 1996. gada), līdzi jāņem tos apliecinoši dokumenti. Savu pensionēšanās vecumu un uzkrāto kapitālu var redzēt e-pakalpojumā "Mani dati VSAA".',
  ],
  [
    'VSAA',
    'slimības pabalsts',
    'lv',
    ['Kā saņemt slimības pabalstu?', 'Kas maksā slimības naudu?', 'Kad VSAA izmaksās slimības pabalstu par B darbnespējas lapu?'],
    'Par slimības sākumu (2.–10. dienu) slimības naudu maksā darba devējs, bet no 11. dienas VSAA izmaksā slimības pabalstu pēc B darbnespējas lapas. Darbnespējas lapa ir elektroniska: ārsts to atver e-veselības sistēmā, un VSAA to saņem pati. Pieprasīt pabalstu var Latvija.lv e-pakalpojumā "Pieteikums slimības pabalsta piešķiršanai" vai VSAA klientu apkalpošanas centrā. Pabalsta lielumu nosaka pēc vidējās apdrošināšanas iemaksu algas.',
  ],
  [
    'VSAA',
    'ģimenes pabalsti',
    'lv',
    ['Kā pieteikties vecāku pabalstam?', 'Kā saņemt bērna kopšanas pabalstu?', 'Kā saņemt ģimenes valsts pabalstu?'],
    'Vecāku pabalstu un bērna kopšanas pabalstu piešķir VSAA. Pieteikties var Latvija.lv e-pakalpojumā "Pieteikums vecāku pabalsta piešķiršanai", VSAA klientu apkalpošanas centrā vai VPVKAC. Ģimenes valsts pabalsts par bērniem parasti tiek piešķirts automātiski pēc bērna dzimšanas reģistrācijas, un pieteikums nav jāiesniedz. Pabalstu izmaksas datumus var redzēt e-pakalpojumā "Mani dati VSAA".',
  ],
  [
    'VSAA',
    'izziņas',
    'lv',
    [
      'Kā saņemt izziņu par sociālās apdrošināšanas iemaksām?',
      'Kur dabūt izziņu par apdrošināšanas stāžu?',
      'Vajag VSAA izziņu par pensiju vai pabalstu',
    ],
    'Izziņu par jums veiktajām sociālās apdrošināšanas iemaksām, stāžu, izmaksātajām pensijām un pabalstiem var saņemt Latvija.lv e-pakalpojumā "Mani dati VSAA" – tā ir elektroniski parakstīta un derīga iesniegšanai citās iestādēs. Papīra izziņu var pieprasīt VSAA klientu apkalpošanas centrā vai VPVKAC, uzrādot personu apliecinošu dokumentu. Izziņa ir bez maksas.',
  ],
  [
    'VSAA',
    'bezdarbnieka pabalsts',
    'ru',
    ['Как получить пособие по безработице?', 'Где подать заявление на пособие по безработице?'],
    'Пособие по безработице назначает и выплачивает VSAA (Государственное агентство социального страхования). Сначала нужно получить статус безработного в Государственном агентстве занятости (NVA). Затем заявление на пособие можно подать в э-услуге на портале Latvija.lv, в любом центре обслуживания клиентов VSAA или в VPVKAC. Пособие положено, если за последние 16 месяцев стаж страхования составляет не менее 12 месяцев.',
  ],
  [
    'VSAA',
    'old-age pension',
    'en',
    ['How do I apply for an old-age pension?', 'When can I get my pension in Latvia?'],
    'The old-age pension is granted by the State Social Insurance Agency (VSAA) once you reach the retirement age and have the minimum insurance period required by law. Apply through the Latvija.lv e-service for old-age pension applications, at a VSAA customer service centre or at a VPVKAC, no earlier than one month before you reach retirement age. Bring documents for periods VSAA has no record of, such as work abroad.',
  ],

  // --- VID ---
  [
    'VID',
    'gada ienākumu deklarācija',
    'lv',
    [
      'Kā iesniegt gada ienākumu deklarāciju?',
      'Līdz kuram datumam jāiesniedz ienākumu deklarācija?',
      'Kā atgūt naudu par attaisnotajiem izdevumiem?',
    ],
    'Gada ienākumu deklarāciju iesniedz VID Elektroniskās deklarēšanas sistēmā (EDS, eds.vid.gov.lv), pieslēdzoties ar internetbanku, eParakstu vai eID karti. Deklarāciju par iepriekšējo gadu iesniedz no 1. marta līdz 1. jūnijam. Ja vēlaties atgūt nodokli par attaisnotajiem izdevumiem (ārstniecība, izglītība, ziedojumi), deklarāciju var iesniegt par trim iepriekšējiem gadiem, sākot no 1. marta. Pārmaksāto nodokli VID atmaksā uz deklarācijā norādīto bankas kontu.',
  ],
  [
    'VID',
    'EDS',
    'lv',
    ['Kā pieslēgties EDS?', 'Neizdodas ieiet VID EDS', 'Kā pilnvarot citu personu EDS?'],
    'EDS var pieslēgties vietnē eds.vid.gov.lv ar internetbankas, eParaksta, eParaksts mobile vai eID kartes autentifikāciju. Ja pieslēgšanās neizdodas, pārbaudiet, vai internetbankā ir atļauta autentifikācija valsts pakalpojumiem, un mēģiniet citu pārlūkprogrammu. Citu personu (piemēram, grāmatvedi vai radinieku) var pilnvarot pašā EDS sadaļā "Pilnvarošana". Ar EDS tehniskiem jautājumiem palīdz VID konsultatīvais tālrunis.',
  ],
  [
    'VID',
    'nodokļu parāds',
    'lv',
    ['Kā uzzināt, vai man ir nodokļu parāds?', 'Kur redzēt nodokļu nomaksas stāvokli?'],
    'Savu nodokļu nomaksas stāvokli, parādus un pārmaksas redzat EDS sadaļā "Nodokļu konts" (eds.vid.gov.lv). Tur var arī sagatavot maksājumu uz vienoto nodokļu kontu. Ja parādu nevar samaksāt uzreiz, EDS var iesniegt iesniegumu par nodokļu samaksas termiņa pagarinājumu.',
  ],
  [
    'VID',
    'annual income declaration',
    'en',
    ['How do I submit my annual income tax return in Latvia?', 'How to get a tax refund for eligible expenses?'],
    'Submit the annual income declaration in the State Revenue Service Electronic Declaration System (EDS, eds.vid.gov.lv), logging in with internet banking, eParaksts or an eID card. The declaration for the previous year is submitted from 1 March to 1 June. To get back tax on eligible expenses (medical treatment, education, donations) you may submit declarations for the three previous years, starting on 1 March.',
  ],
  [
    'VID',
    'gada ienākumu deklarācija',
    'ru',
    ['Как подать годовую декларацию о доходах?', 'Как вернуть налог за оправданные расходы?'],
    'Годовую декларацию о доходах подают в Электронной системе декларирования СГД (EDS, eds.vid.gov.lv), подключившись через интернет-банк, eParaksts или eID-карту. Декларацию за прошлый год подают с 1 марта по 1 июня. Чтобы вернуть налог за оправданные расходы (лечение, образование, пожертвования), декларацию можно подать за три предыдущих года.',
  ],

  // --- PMLP ---
  [
    'PMLP',
    'pase un personas apliecība',
    'lv',
    [
      'Kā saņemt pasi?',
      'Kā nomainīt personas apliecību (eID karti)?',
      'Kur pieteikties pases izsniegšanai?',
      'Cik ilgi jāgaida jauna pase?',
    ],
    'Pasi un personas apliecību (eID karti) var pieprasīt jebkurā PMLP teritoriālajā nodaļā, iepriekš piesakot vizīti PMLP tīmekļvietnē vai pa tālruni. Līdzi jāņem derīgs personu apliecinošs dokuments; fotografēšana notiek uz vietas. Latvijas pilsoņiem no 15 gadu vecuma personas apliecība ir obligāta. Valsts nodeva un izgatavošanas laiks ir atkarīgi no izvēlētā termiņa (parastā, paātrinātā vai steidzamā kārtībā); aktuālās summas skatiet PMLP tīmekļvietnē. Gatavo dokumentu izsniedz personīgi.',
  ],
  [
    'PMLP',
    'nozaudēta pase',
    'lv',
    ['Ko darīt, ja pazaudēju pasi?', 'Nozagta personas apliecība', 'Kā pieteikt nozaudētu pasi vai ID karti?'],
    'Par nozaudētu vai nozagtu pasi vai personas apliecību nekavējoties paziņojiet PMLP (jebkurā nodaļā vai Latvija.lv e-pakalpojumā "Paziņojums par nozaudētu personu apliecinošu dokumentu") vai Valsts policijai. Pēc paziņošanas dokuments kļūst nederīgs arī tad, ja to vēlāk atrodat. Jaunu dokumentu pieprasa PMLP nodaļā kā parasti; ja nepieciešams ceļot steidzami, var pieprasīt steidzamu izgatavošanu.',
  ],
  [
    'PMLP',
    'pase un personas apliecība',
    'ru',
    ['Как получить паспорт?', 'Как заменить ID-карту?', 'Где оформить паспорт в Латвии?'],
    'Паспорт и удостоверение личности (eID-карту) можно заказать в любом территориальном отделении PMLP (Управление по делам гражданства и миграции), заранее записавшись на визит. С собой нужен действующий документ, удостоверяющий личность; фотографируют на месте. Госпошлина и срок изготовления зависят от выбранной срочности. Готовый документ выдают лично.',
  ],
  [
    'PMLP',
    'passport and ID card',
    'en',
    ['How do I get a Latvian passport or ID card?', 'How to renew my passport?', 'I lost my passport, what should I do?'],
    'Passports and identity cards (eID cards) are issued by the Office of Citizenship and Migration Affairs (PMLP) at any of its regional offices; book a visit in advance and bring a valid identity document. The fee and waiting time depend on how urgently you need the document. A lost or stolen document must be reported to PMLP or the State Police at once; it becomes invalid from that moment.',
  ],

  // --- Deklarētā dzīvesvieta (municipalities, PMLP register) ---
  [
    null,
    'dzīvesvietas deklarēšana',
    'lv',
    ['Kā deklarēt dzīvesvietu?', 'Kā mainīt deklarēto adresi?', 'Kur deklarēt dzīvesvietu pēc pārcelšanās?'],
    'Dzīvesvietu var deklarēt Latvija.lv e-pakalpojumā "Deklarācija par dzīvesvietu", jebkurā pašvaldībā vai VPVKAC. Jaunā dzīvesvieta jādeklarē mēneša laikā pēc pārcelšanās. Ja neesat mājokļa īpašnieks, vajadzīga īpašnieka piekrišana vai tiesības lietot mājokli apliecinošs dokuments (piemēram, īres līgums); e-pakalpojumā īpašnieks piekrišanu var apstiprināt elektroniski. Deklarētā adrese ir svarīga pašvaldības pakalpojumiem, skolai un nodokļiem.',
  ],
  [
    'RIGA',
    'dzīvesvietas deklarēšana',
    'lv',
    ['Kur Rīgā deklarēt dzīvesvietu?', 'Rīgas pašvaldības klientu centrs dzīvesvietas deklarēšanai'],
    'Rīgā dzīvesvietu var deklarēt Latvija.lv e-pakalpojumā "Deklarācija par dzīvesvietu" vai klātienē jebkurā Rīgas valstspilsētas pašvaldības apmeklētāju pieņemšanas centrā. Līdzi jāņem personu apliecinošs dokuments un, ja neesat īpašnieks, tiesības lietot mājokli apliecinošs dokuments. Deklarētā dzīvesvieta Rīgā dod tiesības uz Rīgas iedzīvotāja atvieglojumiem, piemēram, sabiedriskajā transportā.',
  ],
  [
    null,
    'dzīvesvietas deklarēšana',
    'en',
    ['How do I declare my place of residence?', 'How to change my declared address in Latvia?'],
    'You can declare your place of residence in the Latvija.lv e-service "Declaration of place of residence", at any municipality or at a VPVKAC. A new place of residence must be declared within one month of moving. If you do not own the home, you need the owner\'s consent or a document giving you the right to use it, such as a lease.',
  ],
  [
    null,
    'dzīvesvietas deklarēšana',
    'ru',
    ['Как задекларировать место жительства?', 'Как сменить задекларированный адрес?'],
    'Место жительства можно задекларировать в э-услуге портала Latvija.lv "Декларация о месте жительства", в любом самоуправлении или в VPVKAC. Новое место жительства нужно задекларировать в течение месяца после переезда. Если вы не владелец жилья, нужно согласие владельца или документ о праве пользования (например, договор аренды).',
  ],

  // --- NVA ---
  [
    'NVA',
    'bezdarbnieka statuss',
    'lv',
    ['Kā reģistrēties kā bezdarbniekam?', 'Kā iegūt bezdarbnieka statusu?', 'Kur pieteikties NVA?'],
    'Bezdarbnieka statusu var iegūt, reģistrējoties NVA filiālē vai attālināti Latvija.lv e-pakalpojumā "Pieteikšanās bezdarbnieka statusam". Statusu var piešķirt darbspējīgai personai darbspējas vecumā, kura nestrādā, nav pašnodarbinātā un aktīvi meklē darbu. Līdzi vai elektroniski jāiesniedz izglītību apliecinoši dokumenti. Ar bezdarbnieka statusu var pieprasīt VSAA bezdarbnieka pabalstu un piedalīties NVA apmācībās.',
  ],
  [
    'NVA',
    'apmācības',
    'lv',
    ['Kā saņemt NVA apmācību kuponu?', 'Vai NVA apmaksā kursus?', 'Kā pieteikties pārkvalifikācijai?'],
    'NVA piedāvā bezdarbniekiem un darba meklētājiem profesionālās apmācības, pārkvalifikāciju un neformālās izglītības programmas, arī ar apmācību kuponu. Pieteikties var pie sava NVA karjeras konsultanta vai NVA tīmekļvietnē; dažas programmas pieejamas arī strādājošajiem. Pieejamās programmas un izglītības iestādes ir NVA mācību piedāvājumu sarakstā.',
  ],
  [
    'NVA',
    'vakances',
    'lv',
    ['Kur atrast vakances?', 'Kā ievietot CV NVA portālā?'],
    'Darba piedāvājumi ir NVA CV un vakanču portālā, kurā var arī publicēt savu CV, lai darba devēji jūs atrastu. Pieslēgties var ar Latvija.lv autentifikāciju. Darba devēji vakances portālā var ievietot bez maksas.',
  ],

  // --- VZD ---
  [
    'VZD',
    'kadastrs',
    'lv',
    ['Kā uzzināt nekustamā īpašuma kadastrālo vērtību?', 'Kur redzēt kadastra datus par zemi?', 'Kā iegūt kadastra izziņu?'],
    'Nekustamā īpašuma kadastra datus, tostarp kadastrālo vērtību, kadastra numuru, platību un kartes, var apskatīt VZD portālā kadastrs.lv. Īpašnieks savus datus bez maksas redz, pieslēdzoties ar Latvija.lv autentifikāciju. Kadastra izziņas un informāciju par citu personu īpašumiem var pasūtīt kadastrs.lv vai VZD klientu centrā; par to var būt maksa saskaņā ar cenrādi.',
  ],
  [
    'VZD',
    'nekustamā īpašuma nodoklis',
    'lv',
    ['Kur maksāt nekustamā īpašuma nodokli?', 'Kas aprēķina nekustamā īpašuma nodokli?'],
    'Nekustamā īpašuma nodokli aprēķina un iekasē pašvaldība, kuras teritorijā īpašums atrodas, nevis VZD. Maksāšanas paziņojumu var saņemt e-pastā vai portālā epakalpojumi.lv / Latvija.lv, un nodokli var samaksāt internetbankā. VZD nosaka kadastrālo vērtību, no kuras nodokli aprēķina; ja vērtība šķiet nepareiza, vērsieties VZD.',
  ],

  // --- LAD ---
  [
    'LAD',
    'platību maksājumi',
    'lv',
    ['Kā pieteikties platību maksājumiem?', 'Kā iesniegt vienoto iesniegumu LAD?', 'Kur pieteikt lauksaimniecības atbalstu?'],
    'Platību maksājumiem un citiem lauksaimniecības atbalsta veidiem piesakās ar vienoto iesniegumu LAD Elektroniskās pieteikšanās sistēmā (EPS). Pieslēgties EPS var ar Latvija.lv autentifikāciju pēc tam, kad esat noslēdzis līgumu ar LAD par EPS lietošanu. Vienotā iesnieguma iesniegšanas laiks katru gadu ir pavasarī; precīzos datumus LAD publicē savā tīmekļvietnē.',
  ],

  // --- UR ---
  [
    'UR',
    'uzņēmuma reģistrācija',
    'lv',
    ['Kā reģistrēt SIA?', 'Kā dibināt uzņēmumu?', 'Kā reģistrēt individuālo komersantu?'],
    'Uzņēmumu reģistrē Uzņēmumu reģistrā. Vienkāršākais veids ir elektroniski – UR e-pakalpojumā vai Latvija.lv, parakstot dokumentus ar drošu elektronisko parakstu (eParaksts). Dokumentus var iesniegt arī klātienē UR birojā. Nepieciešami dibināšanas dokumenti (dibināšanas lēmums vai līgums, statūti), pieteikums un valsts nodevas samaksa. UR lēmumu pieņem likumā noteiktajā termiņā, paātrināti – par papildu maksu.',
  ],
  [
    'UR',
    'izziņas no reģistra',
    'lv',
    ['Kā saņemt izziņu no Uzņēmumu reģistra?', 'Kur atrast uzņēmuma dokumentus?'],
    'Pamatinformācija par uzņēmumiem ir bez maksas pieejama UR tīmekļvietnē un Latvija.lv. Izziņas un reģistrācijas lietu dokumentu kopijas var pasūtīt UR e-pakalpojumos vai klātienē; par tām var būt maksa.',
  ],

  // --- VDI ---
  [
    'VDI',
    'darba tiesības',
    'lv',
    ['Darba devējs nemaksā algu, ko darīt?', 'Kā iesniegt sūdzību Valsts darba inspekcijai?'],
    'Ja darba devējs neizmaksā algu vai pārkāpj darba tiesības, vispirms rakstiski vērsieties pie darba devēja. Ja tas nepalīdz, iesniegumu var iesniegt Valsts darba inspekcijai tās e-pakalpojumā, pa e-pastu ar drošu elektronisko parakstu vai klātienē. Iesniegumā norādiet darba devēju, pārkāpumu un pievienojiet pierādījumus (darba līgumu, algas aprēķinus). VDI sniedz arī bezmaksas konsultācijas par darba tiesībām.',
  ],

  // --- VDAA / Latvija.lv, centre-wide ---
  [
    'VDAA',
    'Latvija.lv',
    'lv',
    ['Kā pieslēgties Latvija.lv?', 'Kā izmantot e-pakalpojumus?', 'Neizdodas autentificēties Latvija.lv'],
    'Latvija.lv var pieslēgties ar internetbanku, eParaksts mobile, eID karti vai citiem portālā piedāvātajiem autentifikācijas līdzekļiem. Ja autentifikācija neizdodas, pārbaudiet, vai lietojat jaunāko pārlūkprogrammas versiju, un mēģiniet citu autentifikācijas veidu. E-pakalpojumus var atrast, meklējot pēc iestādes vai dzīves situācijas. Ja e-pakalpojumu nevarat izmantot, VPVKAC darbinieks palīdzēs to aizpildīt.',
  ],
  [
    'VDAA',
    'e-adrese',
    'lv',
    ['Kas ir e-adrese?', 'Kā aktivizēt e-adresi?'],
    'E-adrese ir oficiālā elektroniskā adrese saziņai ar valsts un pašvaldību iestādēm: iestādes tajā sūta lēmumus un vēstules, un tās ir juridiski saistošas. Iedzīvotāji e-adresi var izveidot Latvija.lv, pieslēdzoties ar savu autentifikācijas līdzekli; uzņēmumiem e-adrese ir obligāta. Iestatījumos var norādīt e-pastu vai tālruni, uz kuru saņemt paziņojumus par jaunām vēstulēm.',
  ],
  [
    null,
    'klientu centru darba laiks',
    'lv',
    ['Kāds ir klientu centra darba laiks?', 'Kad strādā VPVKAC?', 'Vai centrs strādā svētku dienās?'],
    'Valsts un pašvaldību vienotie klientu apkalpošanas centri (VPVKAC) strādā darba dienās; katra centra adresi un darba laiku var atrast Latvija.lv sadaļā "VPVKAC". Svētku dienās centri ir slēgti, bet pirmssvētku dienās darba laiks ir par stundu īsāks. Rakstiskos jautājumus (e-pastā, Latvija.lv veidlapā, sociālajos tīklos) var sūtīt jebkurā laikā – uz tiem atbildam darba laikā.',
  ],
  [
    null,
    'klientu centru darba laiks',
    'en',
    ['What are the opening hours of the customer service centre?', 'When is VPVKAC open?'],
    'The state and municipal unified customer service centres (VPVKAC) are open on working days; the address and hours of each centre are listed on Latvija.lv under "VPVKAC". Centres are closed on public holidays, and the working day before a holiday is one hour shorter. Written questions (e-mail, the Latvija.lv form, social networks) can be sent at any time and are answered during working hours.',
  ],
  [
    null,
    'VPVKAC pakalpojumi',
    'lv',
    ['Ko var nokārtot VPVKAC?', 'Kādi pakalpojumi pieejami vienotajā klientu centrā?'],
    'VPVKAC vienuviet var pieteikt daudzu valsts iestāžu pakalpojumus – VSAA, VID, NVA, PMLP, VZD, LAD, UR un citu –, kā arī pašvaldības pakalpojumus. Darbinieki palīdz aizpildīt iesniegumus un izmantot Latvija.lv e-pakalpojumus un konsultē, kura iestāde jautājumu risina. Līdzi jāņem personu apliecinošs dokuments.',
  ],
];

export class SeedKnowledgeArticles1795651000001 implements MigrationInterface {
  name = 'SeedKnowledgeArticles1795651000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [institution, topic, language, questions, answer] of ARTICLES) {
      await queryRunner.query(
        `INSERT INTO knowledge_articles (institution_id, topic, language, questions, answer, published)
         VALUES ((SELECT id FROM institutions WHERE code = $1), $2, $3, $4, $5, true)`,
        [institution, topic, language, questions, answer],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM knowledge_articles WHERE updated_by_id IS NULL AND topic = ANY($1::text[])`, [
      [...new Set(ARTICLES.map((a) => a[1]))],
    ]);
  }
}
