import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlueprintCatalog } from './blueprint-catalog';

describe('BlueprintCatalog', () => {
  let folder: string;
  const write = (file: string, text: string) => writeFileSync(join(folder, file), text);

  beforeEach(() => {
    folder = join(mkdtempSync(join(tmpdir(), 'blueprints-')), 'blueprints');
    mkdirSync(folder);
  });

  afterEach(() => rmSync(join(folder, '..'), { recursive: true, force: true }));

  it('ships the built-in blueprints, with defaults filled in', () => {
    const catalog = new BlueprintCatalog(join(folder, 'missing'));
    expect(catalog.summaries().map((summary) => summary.name)).toEqual(['alpine-minimal', 'node-dev', 'postgres-dev', 'python-dev', 'ubuntu-dev']);
    expect(catalog.get('alpine-minimal')).toEqual(expect.objectContaining({ packages: [], ports: [], volumes: [], environment: {} }));
  });

  it('reads custom blueprints from JSON and YAML, a custom one winning over a built-in of the same name', () => {
    write('api.yaml', 'name: api\ndescription: The API\nports: [8080]\nenvironment:\n  MODE: dev\ncommand: node server.js\n');
    write('python-dev.json', JSON.stringify({ name: 'python-dev', description: 'our own python' }));
    const catalog = new BlueprintCatalog(folder);
    expect(catalog.get('api')).toEqual(expect.objectContaining({ ports: [8080], environment: { MODE: 'dev' }, command: 'node server.js' }));
    expect(catalog.summaries().find((summary) => summary.name === 'python-dev')).toEqual(expect.objectContaining({ source: 'custom', description: 'our own python' }));
  });

  it('names the file and the field of an invalid blueprint, and lists the others', () => {
    write('bad.yaml', 'name: bad\nports: [80, "http"]\nscripts:\n  setup: 42\n');
    write('broken.json', '{ "name": ');
    write('good.json', JSON.stringify({ name: 'good' }));
    const catalog = new BlueprintCatalog(folder);
    expect(() => catalog.get('bad')).toThrow(/bad\.yaml: invalid blueprint: ports\.1: .*expected number.*; scripts\.setup: .*expected string/);
    const { problems } = catalog.entries();
    expect(problems.map((problem) => problem.file.split('/').pop())).toEqual(['bad.yaml', 'broken.json']);
    expect(problems[1].message).toContain('not valid JSON');
    expect(catalog.get('good').name).toBe('good');
    expect(() => catalog.get('nothing')).toThrow('no blueprint named "nothing"');
    expect(() => catalog.get('../etc')).toThrow('"../etc" is not a blueprint name');
  });
});
