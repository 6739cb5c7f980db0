/**
 * The Azure twin's HTTP trigger checks (twins/azure/function-keys.ts), as the
 * Functions host documents them (HTTP trigger, "Authorization level" and
 * "API key authorization", learn.microsoft.com, read 2026-12-06): the key in
 * x-functions-key or ?code=, function level accepting function, host and master
 * keys, admin only the master key, routes under the host.json route prefix.
 */
import { checkFunctionKey, routeRequest } from '../../../twins/azure/function-keys';

const keys = { functionKeys: ['fkey'], masterKey: 'mkey' };
const url = (query = '') => new URL(`https://app.azurewebsites.net/api/probe${query}`);

describe('checkFunctionKey', () => {
  it('accepts the app key in the header or the code query parameter, and the master key', () => {
    expect(checkFunctionKey('function', keys, { 'x-functions-key': 'fkey' }, url())).toEqual({ ok: true });
    expect(checkFunctionKey('function', keys, {}, url('?code=fkey'))).toEqual({ ok: true });
    expect(checkFunctionKey('function', keys, { 'x-functions-key': 'mkey' }, url())).toEqual({ ok: true });
  });

  it('answers 401 to a missing or wrong key; anonymous needs none; admin needs the master key', () => {
    expect(checkFunctionKey('function', keys, {}, url())).toMatchObject({ ok: false, status: 401, why: expect.stringMatching(/no function key/) });
    expect(checkFunctionKey('function', keys, { 'x-functions-key': 'other' }, url('?code=fkey'))).toMatchObject({ ok: false, status: 401 });
    expect(checkFunctionKey('Anonymous', keys, {}, url())).toEqual({ ok: true });
    expect(checkFunctionKey('admin', keys, { 'x-functions-key': 'fkey' }, url())).toMatchObject({ ok: false, status: 401 });
    expect(checkFunctionKey('admin', keys, { 'x-functions-key': 'mkey' }, url())).toEqual({ ok: true });
  });
});

describe('routeRequest', () => {
  const functions = [
    { name: 'probe', route: 'probe', methods: ['POST'], authLevel: 'function' },
    { name: 'startRun', route: 'runs', methods: null, authLevel: 'function' },
  ];
  it('routes /<prefix>/<route>, case-insensitively, and refuses other methods', () => {
    expect(routeRequest(functions, 'api', 'POST', '/api/probe')).toMatchObject({ name: 'probe' });
    expect(routeRequest(functions, 'api', 'GET', '/api/Runs/')).toMatchObject({ name: 'startRun' });
    expect(routeRequest(functions, 'api', 'GET', '/api/probe')).toBe('method');
    expect(routeRequest(functions, 'api', 'POST', '/probe')).toBe('not-found');
    expect(routeRequest(functions, '', 'POST', '/probe')).toMatchObject({ name: 'probe' });
  });
});
