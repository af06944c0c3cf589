// The server domains' contracts: no entity or repository leaves its domain, each table is touched only by its owner's
// repositories, and SQL stands in repositories alone.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import type { BoundaryCheck } from './check';

/** Which domain owns which tables; a table also owns its partitions (`<table>_…`). */
export type TableOwners = Record<string, string[]>;

export const TABLE_OWNERS: TableOwners = {
  auth: ['accounts', 'users', 'api_keys'],
  nodes: ['nodes'],
  clusters: ['clusters', 'cluster_nodes'],
  commands: ['commands'],
  stacks: ['stacks'],
  metrics: ['metric_samples', 'metric_rollups'],
  audit: ['audit_events'],
};

export interface Violation {
  file: string;
  rule: 'exports-entity' | 'imports-entity' | 'foreign-table' | 'sql-outside-repository' | 'unowned-entity';
  detail: string;
}

const SQL = /\b(SELECT\s[\s\S]*\sFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+[a-z_]+\s+SET)\b/;
const TABLE_REFERENCE = /\b(?:FROM|JOIN|UPDATE|INTO|TABLE|EXISTS)\s+([a-z_][a-z0-9_]*)/gi;
const INTERNAL = /(Entity|Repository)$/;

const sourceFiles = (folder: string): string[] =>
  existsSync(folder)
    ? readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) return entry.name === 'migrations' || entry.name === 'node_modules' ? [] : sourceFiles(path);
        return /\.ts$/.test(entry.name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) ? [path] : [];
      })
    : [];

const parse = (file: string) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);

/** The text of every string and template literal (template holes left out). */
function literals(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
    else if (ts.isTemplateExpression(node)) found.push([node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' '));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Calls that run SQL or build it: `x.query('…')`, `createQueryBuilder()`. */
function runsSql(source: ts.SourceFile): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      const [first] = node.arguments;
      if (name === 'createQueryBuilder') found = true;
      if (name === 'query' && first && (ts.isStringLiteral(first) || ts.isTemplateLiteral(first) || ts.isIdentifier(first))) found = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function entityTables(source: ts.SourceFile): string[] {
  const tables: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isDecorator(node) && ts.isCallExpression(node.expression) && node.expression.expression.getText(source) === 'Entity') {
      const [name] = node.expression.arguments;
      if (name && ts.isStringLiteral(name)) tables.push(name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return tables;
}

/** Names a file imports (or re-exports) from each module. */
function importedNames(source: ts.SourceFile): { module: string; names: string[] }[] {
  const found: { module: string; names: string[] }[] = [];
  for (const statement of source.statements) {
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier)) continue;
    const names: string[] = [];
    if (ts.isImportDeclaration(statement)) {
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.map((element) => (element.propertyName ?? element.name).text));
    } else if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      names.push(...statement.exportClause.elements.map((element) => (element.propertyName ?? element.name).text));
    } else {
      names.push('*');
    }
    found.push({ module: specifier.text, names });
  }
  return found;
}

/** Checks the domains under `<root>/libs/server` (all but core) and everything under `<root>/apps` that uses them. */
export function checkDomainContracts(root: string, owners: TableOwners = TABLE_OWNERS): Violation[] {
  const violations: Violation[] = [];
  const serverRoot = join(root, 'libs', 'server');
  const domains = readdirSync(serverRoot).filter((name) => name !== 'core' && existsSync(join(serverRoot, name, 'src', 'index.ts')));
  const ownerOf = (table: string) => Object.keys(owners).find((domain) => owners[domain].some((owned) => table === owned || table.startsWith(`${owned}_`)));
  const at = (file: string) => relative(root, file).split(sep).join('/');

  for (const domain of domains) {
    const index = join(serverRoot, domain, 'src', 'index.ts');
    for (const { module, names } of importedNames(parse(index))) {
      const leaked = /\.(entity|repository)$/.test(module) ? [module] : names.filter((name) => INTERNAL.test(name));
      for (const what of leaked) violations.push({ file: at(index), rule: 'exports-entity', detail: `the index exports ${what}` });
    }
    for (const file of sourceFiles(join(serverRoot, domain, 'src'))) {
      const source = parse(file);
      const repository = file.endsWith('.repository.ts');
      for (const table of entityTables(source)) {
        if (ownerOf(table) !== domain) violations.push({ file: at(file), rule: 'unowned-entity', detail: `entity of table ${table}, which ${domain} does not own` });
      }
      const text = literals(source);
      if (!repository && (runsSql(source) || text.some((literal) => SQL.test(literal)))) {
        violations.push({ file: at(file), rule: 'sql-outside-repository', detail: 'runs SQL outside a repository' });
      }
      for (const literal of text) {
        for (const [, table] of literal.matchAll(TABLE_REFERENCE)) {
          const owner = ownerOf(table.toLowerCase());
          if (owner && owner !== domain) violations.push({ file: at(file), rule: 'foreign-table', detail: `touches ${table}, owned by ${owner}` });
        }
      }
    }
  }

  const users = [...domains.flatMap((domain) => sourceFiles(join(serverRoot, domain, 'src'))), ...sourceFiles(join(root, 'apps'))];
  for (const file of users) {
    const own = domains.find((domain) => file.startsWith(join(serverRoot, domain) + sep));
    for (const { module, names } of importedNames(parse(file))) {
      const target = /^@thresh\/server-(.+)$/.exec(module)?.[1];
      if (!target || target === own || !domains.includes(target)) continue;
      for (const name of names.filter((imported) => INTERNAL.test(imported))) {
        violations.push({ file: at(file), rule: 'imports-entity', detail: `imports ${name} from ${module}` });
      }
    }
  }
  return violations;
}

const RULES: Violation['rule'][] = ['exports-entity', 'imports-entity', 'foreign-table', 'sql-outside-repository', 'unowned-entity'];

export const domainContracts: BoundaryCheck = {
  name: 'domain contracts',
  async run() {
    const found = checkDomainContracts(process.cwd());
    // The check must bite: a fixture workspace breaks each rule once.
    const fixture = checkDomainContracts(join(__dirname, 'fixtures', 'domain-violations'), { alpha: ['alpha_items'], beta: ['beta_items'] });
    return [
      ...found.map((violation) => ({ ok: false, what: `${violation.file}: ${violation.detail}` })),
      { ok: found.length === 0, what: 'the server domains keep their entities, repositories, tables and SQL to themselves' },
      ...RULES.map((rule) => ({ ok: fixture.some((violation) => violation.rule === rule), what: `the check reports ${rule} in the fixture` })),
    ];
  },
};
