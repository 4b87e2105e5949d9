import { contextOf, MenuNode, validateMenu } from './ivr-menu';

const t = (lv: string, en = lv) => ({ lv, en });
const p = (lv: string, en = lv) => ({ lv: { text: lv }, en: { text: en } });

function menu(): MenuNode[] {
  return [
    { key: 'main', parentKey: null, digit: null, kind: 'menu', title: {}, prompt: p('Labdien', 'Hello') },
    { key: 'vid', parentKey: 'main', digit: '1', kind: 'menu', institutionCode: 'VID', title: t('VID'), prompt: p('VID') },
    { key: 'vid-hours', parentKey: 'vid', digit: '1', kind: 'answer', topic: 'hours', title: t('Darba laiks', 'Hours'), prompt: p('8-17') },
    { key: 'vid-other', parentKey: 'vid', digit: '2', kind: 'operator', title: t('Cits', 'Other'), prompt: {} },
  ];
}
const languages = ['lv', 'en'] as const;
const codes = (nodes: MenuNode[]) => validateMenu(nodes, { languages, institutionCodes: ['VID'] }).map((x) => `${x.key}:${x.code}`);

describe('validateMenu', () => {
  it('accepts a menu where every path ends in an answer or an operator', () => {
    expect(codes(menu())).toEqual([]);
  });

  it('refuses a menu that offers no choices: a dead end', () => {
    const nodes = menu().filter((n) => n.parentKey !== 'vid');
    expect(codes(nodes)).toEqual(['vid:deadEnd']);
  });

  it('refuses choices below an answer, reused digits and the reserved 0 and *', () => {
    const nodes = menu();
    nodes.push({ key: 'under-answer', parentKey: 'vid-hours', digit: '1', kind: 'answer', title: t('x'), prompt: p('x') });
    nodes.push({ key: 'twice', parentKey: 'vid', digit: '2', kind: 'operator', title: t('x'), prompt: {} });
    nodes.push({ key: 'zero', parentKey: 'vid', digit: '0', kind: 'operator', title: t('x'), prompt: {} });
    nodes.push({ key: 'star', parentKey: 'main', digit: '*', kind: 'operator', title: t('x'), prompt: {} });
    expect(codes(nodes).sort()).toEqual(['star:invalid', 'twice:duplicate', 'under-answer:leafParent', 'zero:invalid']);
  });

  it('refuses loops, unknown parents, a second root and a missing one', () => {
    const loop = menu();
    loop.push({ key: 'a', parentKey: 'b', digit: '1', kind: 'menu', title: t('a'), prompt: p('a') });
    loop.push({ key: 'b', parentKey: 'a', digit: '1', kind: 'menu', title: t('b'), prompt: p('b') });
    expect(codes(loop).sort()).toEqual(['a:cycle', 'b:cycle']);
    const orphan = [...menu(), { key: 'lost', parentKey: 'nowhere', digit: '1', kind: 'answer' as const, title: t('x'), prompt: p('x') }];
    expect(codes(orphan)).toContain('lost:unknown');
    expect(codes([...menu(), { ...menu()[0], key: 'main2' }])).toContain('null:oneRoot');
    expect(codes(menu().slice(1))).toContain('null:oneRoot');
  });

  it('wants every offered language spoken, and recordings over https', () => {
    const nodes = menu();
    nodes[2] = { ...nodes[2], prompt: { lv: { text: '8-17' }, en: { audioUrl: 'http://example.test/a.mp3' } } };
    nodes[1] = { ...nodes[1], title: { lv: 'VID' } };
    expect(codes(nodes).sort()).toEqual(['vid-hours:invalid', 'vid:required']);
    // Russian is not offered here, so nothing is wanted in it.
    expect(validateMenu(menu(), { languages: ['lv'] })).toEqual([]);
  });

  it('an answer may read a knowledge-base article: known, published and in the language it is read in', () => {
    const nodes = menu();
    nodes[2] = { ...nodes[2], prompt: { lv: { articleId: 'a-lv' }, en: { articleId: 'a-draft' } } };
    const articles = new Map([
      ['a-lv', { language: 'lv', published: true }],
      ['a-draft', { language: 'en', published: false }],
    ]);
    const found = (n: MenuNode[]) => validateMenu(n, { languages, articles }).map((x) => `${x.key}:${x.field}:${x.code}`);
    expect(found(nodes)).toEqual(['vid-hours:prompt.en.articleId:unpublished']);
    nodes[2] = { ...nodes[2], prompt: { lv: { articleId: 'nope' }, en: { articleId: 'a-lv' } } };
    expect(found(nodes).sort()).toEqual(['vid-hours:prompt.en.articleId:wrongLanguage', 'vid-hours:prompt.lv.articleId:unknown']);
  });

  it('refuses unknown institutions and menus deeper than callers will go', () => {
    const nodes = menu();
    nodes[1] = { ...nodes[1], institutionCode: 'XYZ' };
    expect(codes(nodes)).toEqual(['vid:unknown']);
    const deep: MenuNode[] = [menu()[0]];
    for (let i = 1; i <= 6; i++)
      deep.push({
        key: `l${i}`,
        parentKey: i === 1 ? 'main' : `l${i - 1}`,
        digit: '1',
        kind: i === 6 ? 'answer' : 'menu',
        title: t('x'),
        prompt: p('x'),
      });
    expect(codes(deep)).toEqual(['l6:tooDeep']);
  });

  it('finds the institution and topic a node inherits', () => {
    const byKey = new Map(menu().map((n) => [n.key, n]));
    expect(contextOf(byKey, 'vid-hours')).toEqual({ institutionCode: 'VID', topic: 'hours' });
    expect(contextOf(byKey, 'main')).toEqual({ institutionCode: null, topic: null });
  });
});
