/** createLogGroup: the option, LOGJAM_CLOUDWATCH_CREATE_GROUP when the option is not given, and bad values. */
import { describe, expect, it } from 'vitest';
import { CREATE_GROUP_ENV, parseCreateGroupEnv, resolveOptions } from '../../../middleware/sinks/cloudwatch/options.js';

describe('LOGJAM_CLOUDWATCH_CREATE_GROUP', () => {
  it('0/false/no/off turn group creation off, 1/true/yes/on keep it, blank means the default (on)', () => {
    for (const raw of ['0', 'false', 'NO', ' off ']) expect(resolveOptions({ logGroupName: 'g' }, { [CREATE_GROUP_ENV]: raw }).createLogGroup, raw).toBe(false);
    for (const raw of ['1', 'true', 'Yes', 'on']) expect(resolveOptions({ logGroupName: 'g' }, { [CREATE_GROUP_ENV]: raw }).createLogGroup, raw).toBe(true);
    expect(resolveOptions({ logGroupName: 'g' }, { [CREATE_GROUP_ENV]: '  ' }).createLogGroup).toBe(true);
    expect(resolveOptions({ logGroupName: 'g' }, {}).createLogGroup).toBe(true);
  });

  it('the explicit option wins over the environment', () => {
    expect(resolveOptions({ logGroupName: 'g', createLogGroup: true }, { [CREATE_GROUP_ENV]: '0' }).createLogGroup).toBe(true);
    expect(resolveOptions({ logGroupName: 'g', createLogGroup: false }, { [CREATE_GROUP_ENV]: '1' }).createLogGroup).toBe(false);
  });

  it('refuses anything else, naming the variable (the transport then reports itself misconfigured)', () => {
    expect(() => parseCreateGroupEnv('maybe')).toThrow(/LOGJAM_CLOUDWATCH_CREATE_GROUP must be 1 or 0/);
    expect(() => resolveOptions({ logGroupName: 'g' }, { [CREATE_GROUP_ENV]: '2' })).toThrow(TypeError);
  });
});
