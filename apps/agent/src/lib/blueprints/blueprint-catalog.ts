import { Blueprint, blueprintSchema, BlueprintSummary, resourceNameSchema } from '@thresh/protocol';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EnvironmentError } from '../environments/runtime-driver';
import { BUILTIN_BLUEPRINTS } from './builtin-blueprints';

const EXTENSIONS = ['.json', '.yaml', '.yml'];

export interface CatalogEntry {
  blueprint: Blueprint;
  source: 'builtin' | 'custom';
  file?: string;
}

export interface CatalogProblem {
  file: string;
  message: string;
}

/** Reads a blueprint file; an invalid one is refused with the file and the field named. */
export function parseBlueprintFile(file: string): Blueprint {
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new EnvironmentError(`${file}: not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`, 'validation_failed');
  }
  const parsed = blueprintSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
    throw new EnvironmentError(`${file}: invalid blueprint: ${issues.join('; ')}`, 'validation_failed');
  }
  return parsed.data;
}

/** The built-in blueprints and the custom ones in the thresh home's blueprints/ folder (which win on a shared name). */
export class BlueprintCatalog {
  constructor(private readonly customFolder: string) {}

  entries(): { entries: CatalogEntry[]; problems: CatalogProblem[] } {
    const byName = new Map<string, CatalogEntry>(BUILTIN_BLUEPRINTS.map((input) => [input.name, { blueprint: blueprintSchema.parse(input), source: 'builtin' }]));
    const problems: CatalogProblem[] = [];
    for (const file of this.customFiles()) {
      try {
        const blueprint = parseBlueprintFile(file);
        byName.set(blueprint.name, { blueprint, source: 'custom', file });
      } catch (error) {
        problems.push({ file, message: (error as Error).message });
      }
    }
    return { entries: [...byName.values()].sort((a, b) => a.blueprint.name.localeCompare(b.blueprint.name)), problems };
  }

  summaries(): BlueprintSummary[] {
    return this.entries().entries.map(({ blueprint, source }) => ({
      name: blueprint.name,
      description: blueprint.description,
      base: blueprint.base,
      source,
      hasCommand: blueprint.command !== undefined,
    }));
  }

  /** A blueprint by name; a broken file of that name is reported rather than skipped. */
  get(name: string): Blueprint {
    if (!resourceNameSchema.safeParse(name).success) throw new EnvironmentError(`"${name}" is not a blueprint name`, 'validation_failed');
    const { entries, problems } = this.entries();
    const found = entries.find((entry) => entry.blueprint.name === name);
    const broken = problems.find((problem) => basename(problem.file, extname(problem.file)) === name);
    if (broken) throw new EnvironmentError(broken.message, 'validation_failed');
    if (!found) {
      throw new EnvironmentError(`no blueprint named "${name}" (available: ${entries.map((entry) => entry.blueprint.name).join(', ')})`, 'not_found');
    }
    return found.blueprint;
  }

  private customFiles(): string[] {
    if (!existsSync(this.customFolder)) return [];
    return readdirSync(this.customFolder)
      .filter((file) => EXTENSIONS.includes(extname(file)))
      .sort()
      .map((file) => join(this.customFolder, file));
  }
}

