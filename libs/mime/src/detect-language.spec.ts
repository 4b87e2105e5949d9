import { detectLanguage } from '@lib/mime';

describe('detectLanguage', () => {
  it.each([
    'Labdien! Vēlos pieteikties pabalstam. Ķēķis, ģimene, šūpoles, žogs, ņurdēt, ļoti, ūdens',
    'Labdien, lūdzu paskaidrojiet, kā pieteikties bērna kopšanas pabalstam.',
    // Typed on a keyboard without Latvian letters, which is common.
    'Labdien, es velos uzzinat par pabalstu, ludzu atbildiet',
    'Paldies!',
    'Sveiki, kur var sanemt izzinu?',
    'ŠODIEN NEVARU ATNĀKT, LŪDZU PĀRCELT',
  ])('Latvian: %j', (text) => {
    expect(detectLanguage(text)).toBe('lv');
  });

  it.each([
    'Здравствуйте! Хочу подать заявление. Съешь же ещё этих мягких французских булок',
    'Добрый день, как получить справку?',
    // A Latvian address in a Russian message is still a Russian message.
    'Добрый день! Я живу по адресу Rīga, Brīvības iela 1, как мне подать заявление?',
    'спасибо',
  ])('Russian: %j', (text) => {
    expect(detectLanguage(text)).toBe('ru');
  });

  it.each([
    'Hello, I would like to apply for the child benefit. Thank you.',
    'Dear Sir or Madam, please find my application attached.',
    // Latvian names do not make an English sentence Latvian.
    'Hello, my name is Jānis Bērziņš and I need help with my application.',
    'Thanks!',
  ])('English: %j', (text) => {
    expect(detectLanguage(text)).toBe('en');
  });

  it.each([
    ['empty', ''],
    ['only digits and punctuation', '010190-12345, +371 29123456 !!!'],
    ['German', 'Sehr geehrte Damen und Herren, ich möchte einen Antrag stellen.'],
    ['Lithuanian', 'Laba diena, norėčiau pateikti prašymą dėl išmokos.'],
    ['Ukrainian', 'Добрий день! Підкажіть, будь ласка, як подати заяву на отримання допомоги.'],
    ['Belarusian', 'Добры дзень, я хачу падаць заяву на атрыманне дапамогі, дзякуй. Ўсё'],
    ['a single unknown word', 'Ok'],
    ['a tie', 'paldies thanks'],
  ])('undefined when unsure (%s)', (_case, text) => {
    expect(detectLanguage(text)).toBeUndefined();
  });

  it('counts words, so a Latvian name alone in a short English text does not decide', () => {
    expect(detectLanguage('Jānis')).toBe('lv');
    expect(detectLanguage('Regards, Jānis')).toBeUndefined();
    expect(detectLanguage('Thank you and regards, Jānis')).toBe('en');
  });
});
