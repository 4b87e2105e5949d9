import { examplesOf } from './example-rows';

/**
 * What belongs to no institution: the centre itself (opening hours, the VPVKAC network), thanks, greetings and
 * texts that say nothing a person could route. The model learns them as "no institution", so such a contact goes
 * to the general queue rather than to whichever institution shares a word with it.
 */
export const GENERAL_EXAMPLES = examplesOf(null, [
  ['klientu centru darba laiks', 'c', 'Kāds ir jūsu klientu apkalpošanas centra darba laiks sestdienās?'],
  ['klientu centru darba laiks', 'c', 'Vai VPVKAC Tukumā strādā svētku dienās un pirmssvētku dienā?'],
  ['klientu centru darba laiks', 'c', 'Kur atrodas tuvākais valsts un pašvaldības vienotais klientu apkalpošanas centrs?'],
  ['klientu centru darba laiks', 'c', 'Vai pie jums var ierasties bez pieraksta vai vajag pieteikt laiku?'],
  ['VPVKAC pakalpojumi', 'c', 'Kādus valsts pakalpojumus var saņemt VPVKAC klātienē?'],
  ['VPVKAC pakalpojumi', 'c', 'Vai VPVKAC konsultants var palīdzēt aizpildīt iesniegumu citai iestādei?'],
  [null, 'c', 'Labdien! Gribēju vienkārši pateikt paldies par jūsu darbu, lai jums jauka diena.'],
  [null, 'c', 'Paldies par atbildi, viss skaidrs.'],
  [null, 'c', 'Labdien, sveiki, vai kāds mani dzird?'],
  [null, 'c', 'Tests. Lūdzu neņemt vērā šo ziņu.'],
  [null, 'c', 'Sveiki! Vai varat man palīdzēt? Man ir jautājums.'],
  [null, 'c', 'Es gaidu atbildi jau trešo dienu, kāpēc neviens neatbild uz manām vēstulēm?'],
  [null, 'c', 'Jūsu operatore bija ļoti laipna un izpalīdzīga, liels paldies!'],
  [null, 'c', 'Kā es varu sazināties ar kādu cilvēku, nevis robotu?'],
  [null, 'c', 'Vēlos iesniegt priekšlikumu par jūsu mājaslapas uzlabošanu, teksts ir par mazu.'],
  [null, 'c', 'Vai jūs esat valsts iestāde vai privāts uzņēmums?'],
  [null, 'c', 'Kādā valodā jums var rakstīt?'],
  [null, 'c', 'Nosūtīju vēstuli nepareizi, lūdzu ignorēt iepriekšējo.'],
  ['klientu centru darba laiks', 'c', 'Какое время работы центра обслуживания клиентов в субботу?'],
  ['VPVKAC pakalpojumi', 'c', 'Какие услуги можно получить в центре VPVKAC?'],
  [null, 'c', 'Здравствуйте, спасибо за помощь, всё понятно.'],
  [null, 'c', 'Здравствуйте! У меня вопрос, можете помочь?'],
  [null, 'c', 'Почему мне никто не отвечает уже три дня?'],
  [null, 'c', 'Тест, не обращайте внимания на это сообщение.'],
  ['klientu centru darba laiks', 'c', 'What are the opening hours of your customer service centre?'],
  ['VPVKAC pakalpojumi', 'c', 'Which state services can I get at a one-stop customer service centre?'],
  [null, 'c', 'Hello, thank you very much for your help, have a nice day.'],
  [null, 'c', 'Hi, is anyone there? I have a question.'],
  [null, 'c', 'How can I talk to a real person instead of a bot?'],
  [null, 'c', 'This is a test message, please ignore it.'],
  [null, 'c', 'Šī ir testa vēstule, lūdzu ignorēt.'],
  [null, 'c', 'Vēlos izteikt priekšlikumu par jūsu tīmekļvietni, to ir grūti lietot.'],
  ['VPVKAC pakalpojumi', 'c', 'Kādus pakalpojumus sniedz valsts un pašvaldības vienotie klientu apkalpošanas centri?'],
  [null, 'c', 'Это тестовое сообщение.'],
  [null, 'c', 'Hello, I would like to give feedback about your website.'],
  ['klientu centru darba laiks', 'c', 'Vai klientu apkalpošanas centrs strādā arī vakaros?'],
]);
