import { centreOfLocation, normaliseCentreName } from './centre-location';

const CENTRES = [
  { code: 'VPPPD', name: 'VPPPD attālinātā apkalpošana', town: null },
  { code: 'VPVKAC-CESIS', name: 'VPVKAC Cēsis', town: 'Cēsis' },
  { code: 'VPVKAC-SIGULDA', name: 'VPVKAC Sigulda', town: 'Sigulda' },
];

describe('centre of a free-text location', () => {
  it('ignores case, Latvian diacritics and punctuation', () => {
    expect(normaliseCentreName('  VPVKAC — Cēsīs!  ')).toBe('vpvkac cesis');
    expect(normaliseCentreName('ĀČĒĢĪĶĻŅŠŪŽ')).toBe('acegiklnsuz');
  });

  it.each([
    ['VPVKAC Cēsis', 'VPVKAC-CESIS'],
    ['vpvkac cesis, Raunas iela 4', 'VPVKAC-CESIS'],
    ['Sigulda', 'VPVKAC-SIGULDA'],
    ['VPVKAC-SIGULDA', 'VPVKAC-SIGULDA'],
    ['vpppd', 'VPPPD'],
  ])('maps %s to %s', (location, code) => {
    expect(centreOfLocation(location, CENTRES)).toBe(code);
  });

  it.each([['VPVKAC Rīga'], ['Cēsu novads'], [''], [', Raunas iela 4'], ['VPVKAC']])('maps %s to no centre', (location) => {
    expect(centreOfLocation(location, CENTRES)).toBeNull();
  });

  it('refuses a location two centres answer to', () => {
    expect(centreOfLocation('Cēsis', [...CENTRES, { code: 'CESIS-2', name: 'Otrs', town: 'Cēsis' }])).toBeNull();
  });
});
