import { PartialType } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, MetadataStorage, validate } from 'class-validator';
import { rememberValidationMetadata } from './validation-metadata-cache';

class Person {
  @IsString()
  @MaxLength(5)
  name!: string;

  @IsInt({ groups: ['admin'] })
  level!: number;
}

class Employee extends Person {
  @IsString()
  @IsOptional()
  team?: string;
}

describe('rememberValidationMetadata', () => {
  const storage = () => {
    // A storage of its own, holding the rules of the classes above, so the global one is left alone.
    const own = new MetadataStorage();
    const { getMetadataStorage } = jest.requireActual<typeof import('class-validator')>('class-validator');
    for (const target of [Person, Employee]) {
      for (const m of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false))
        if (m.target === target) own.addValidationMetadata(m);
    }
    return own;
  };
  const names = (list: Array<{ propertyName: string; type: string }>) => list.map((m) => `${m.propertyName}:${m.type}`).sort();

  it('answers every lookup as class-validator does, for own and inherited rules, groups and options', () => {
    const plain = storage();
    const remembered = storage();
    rememberValidationMetadata(remembered);
    const cases: Array<[typeof Person, boolean, boolean, string[] | undefined]> = [
      [Person, false, false, undefined],
      [Employee, false, false, undefined],
      [Employee, false, false, ['admin']],
      [Employee, true, false, undefined],
      [Employee, false, true, undefined],
      [Employee, false, true, ['other']],
    ];
    for (const [target, always, strictGroups, groups] of cases) {
      const expected = names(plain.getTargetValidationMetadatas(target, '', always, strictGroups, groups));
      expect(names(remembered.getTargetValidationMetadatas(target, '', always, strictGroups, groups))).toEqual(expected);
      // Asked again, the same answer: from memory.
      expect(names(remembered.getTargetValidationMetadatas(target, '', always, strictGroups, groups))).toEqual(expected);
    }
    // The options are part of what is remembered: another group, under strict groups, does not get the first answer.
    expect(names(remembered.getTargetValidationMetadatas(Employee, '', false, true, ['admin']))).toContain('level:customValidation');
    expect(names(remembered.getTargetValidationMetadatas(Employee, '', false, true, ['other']))).not.toContain('level:customValidation');
    expect(names(remembered.getTargetValidationMetadatas(Employee, '', false, true))).not.toContain('level:customValidation');
  });

  it('scans the registered classes once per class and options, not once per validation', () => {
    const remembered = storage();
    const scan = jest.spyOn(remembered, 'getTargetValidationMetadatas');
    rememberValidationMetadata(remembered);
    rememberValidationMetadata(remembered); // installing twice installs once
    for (let i = 0; i < 5; i++) remembered.getTargetValidationMetadatas(Employee, '', false, false);
    remembered.getTargetValidationMetadatas(Employee, '', false, false, ['admin']);
    expect(scan).toHaveBeenCalledTimes(2);
  });

  it('still validates through the global storage, mapped types included, with the cache installed', async () => {
    rememberValidationMetadata();
    class PartialEmployee extends PartialType(Employee) {}
    const tooLong = Object.assign(new Employee(), { name: 'Anneliese', level: 2, team: 'VID' });
    expect((await validate(tooLong)).map((e) => e.property)).toEqual(['name']);
    expect((await validate(tooLong)).map((e) => e.property)).toEqual(['name']);
    expect(await validate(Object.assign(new Employee(), { name: 'Anna', level: 1 }))).toEqual([]);
    expect((await validate(Object.assign(new Employee(), { name: 'Anna' }))).map((e) => e.property)).toEqual(['level']);
    expect(await validate(Object.assign(new PartialEmployee(), {}))).toEqual([]);
    expect((await validate(Object.assign(new PartialEmployee(), { name: 'Anneliese' }))).map((e) => e.property)).toEqual(['name']);
  });
});
