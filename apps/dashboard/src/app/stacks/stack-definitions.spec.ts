import { EXAMPLE_STACK, EXAMPLE_TEXT } from './example';
import { checkDefinition, definedServices, withImage } from './stack-definitions';

const none = { node: '', cluster: '' };

describe('stack definitions in the dashboard', () => {
  it('takes its example, which is valid', () => {
    expect(checkDefinition(EXAMPLE_TEXT, none)).toEqual({ state: 'valid', body: EXAMPLE_STACK, name: 'hello-stack', services: ['store', 'api', 'web'] });
  });

  it('says what is wrong with JSON that does not parse', () => {
    const checked = checkDefinition('{ "name": "x", }', none);
    expect(checked.state).toBe('invalid-json');
  });

  it('sets the target from the form, and reports a target given twice', () => {
    const checked = checkDefinition(JSON.stringify({ name: 'a', services: { web: { image: 'nginx' } } }), { node: ' edge-2 ', cluster: '' });
    expect(checked.state === 'valid' && checked.body).toEqual({ name: 'a', targetNode: 'edge-2', services: { web: { image: 'nginx' } } });
    expect(checkDefinition(JSON.stringify({ name: 'a', targetCluster: 'edge', services: { web: { image: 'nginx' } } }), { node: 'edge-2', cluster: '' })).toEqual({
      state: 'problems',
      problems: [{ path: 'targetCluster', message: 'give targetNode or targetCluster, not both' }],
    });
  });

  it('finds the services and changes one image, in a list or in a map', () => {
    const list = { name: 'a', services: [{ name: 'db', command: 'run' }, { name: 'web', image: 'nginx:1.27' }] };
    expect(definedServices(list)).toEqual([{ name: 'db', image: null }, { name: 'web', image: 'nginx:1.27' }]);
    expect(withImage(list, 'web', 'nginx:1.28')).toEqual({ name: 'a', services: [{ name: 'db', command: 'run' }, { name: 'web', image: 'nginx:1.28' }] });
    const map = { name: 'a', services: { db: { command: 'run' }, front: { name: 'web', image: 'nginx:1.27' } } };
    expect(definedServices(map)).toEqual([{ name: 'db', image: null }, { name: 'web', image: 'nginx:1.27' }]);
    expect(withImage(map, 'web', 'nginx:1.28')).toEqual({ name: 'a', services: { db: { command: 'run' }, front: { name: 'web', image: 'nginx:1.28' } } });
    expect(list.services[1]).toEqual({ name: 'web', image: 'nginx:1.27' });
  });
});
