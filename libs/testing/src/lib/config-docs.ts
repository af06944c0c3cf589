import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { WORKSPACE_ROOT } from './processes';

/** One variable of a config schema: what a process does when it is not set. */
export interface ConfigRow {
  name: string;
  required: boolean;
  /** The parsed default; undefined when the variable is optional without one. */
  defaultValue: unknown;
}

/** The configuration table of a zod env schema: each variable, whether it must be set, and its default. */
function configTable(schema: z.ZodObject): ConfigRow[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const unset = (field as z.ZodType).safeParse(undefined);
    return { name, required: !unset.success, defaultValue: unset.success ? unset.data : undefined };
  });
}

interface DocumentedVariable {
  name: string;
  /** As written after `=`, or in the README's default column. */
  written: string;
  /** The comment lines above it (.env.example) or its meaning column (README). */
  note: string;
  /** The `# ---- title ----` it sits under (.env.example), or the README table's heading. */
  section: string;
}

function readWorkspaceFile(path: string): string {
  return readFileSync(resolve(WORKSPACE_ROOT, path), 'utf8');
}

/** Every `NAME=value` line of a .env file, with the comment block above it and its section. */
function envExampleVariables(text: string): DocumentedVariable[] {
  const variables: DocumentedVariable[] = [];
  let section = '';
  let note: string[] = [];
  // A comment block describes every variable right below it.
  let noteUsed = false;
  for (const line of text.split('\n')) {
    const title = line.match(/^# -+ (.+?) -+$/);
    const assignment = line.match(/^([A-Z][A-Z0-9_]*)=(.*)$/);
    if (title) [section, note] = [title[1], []];
    else if (assignment) {
      variables.push({ name: assignment[1], written: assignment[2], note: note.join(' '), section });
      noteUsed = true;
    } else if (line.startsWith('#')) {
      if (noteUsed) [note, noteUsed] = [[], false];
      note.push(line.replace(/^#\s?/, ''));
    } else [note, noteUsed] = [[], false];
  }
  return variables;
}

/** The rows of every Markdown table whose first column is headed "variable": one entry per variable named in a row. */
function readmeVariables(text: string): DocumentedVariable[] {
  const variables: DocumentedVariable[] = [];
  let header: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      header = undefined;
      continue;
    }
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (header === undefined) header = cells[0];
    else if (header.startsWith('variable') && !/^-+$/.test(cells[0])) {
      for (const [, name] of cells[0].matchAll(/`([A-Z][A-Z0-9_]*)`/g)) {
        variables.push({ name, written: cells[1].replace(/^`(.*)`$/, '$1'), note: cells[2] ?? '', section: header });
      }
    }
  }
  return variables;
}

/**
 * What is wrong with how one variable is documented, or undefined. A value written must parse to the schema's
 * default. Left empty, or described in parentheses (the README's "(generated)"), the variable must have no default, an
 * empty one, or one given in `computedDefaults` (it depends on the machine, and the note must show it). A required
 * variable's note says it is required.
 */
function documentationProblem(schema: z.ZodObject, documented: DocumentedVariable, computedDefaults: Record<string, string>): string | undefined {
  const field = schema.shape[documented.name] as z.ZodType | undefined;
  if (!field) return `${documented.name} is documented, but the schema has no such variable`;
  const row = configTable(schema).find((candidate) => candidate.name === documented.name) as ConfigRow;
  if (row.required && !/required/i.test(documented.note)) return `${documented.name} is required, and its note should say so`;
  if (!row.required && /^required\b/i.test(documented.note)) return `${documented.name} is documented as required, but the schema does not require it`;
  const computed = computedDefaults[documented.name];
  if (computed !== undefined) return documented.note.includes(computed) ? undefined : `${documented.name}: the note should say its default is ${computed}`;
  // An empty variable counts as unset (loadConfig), so it may stand for a default that is itself empty.
  const empty = field.safeParse('');
  if (documented.written === '' && empty.success && isDeepStrictEqual(empty.data, row.defaultValue)) return undefined;
  if (documented.written === '' || /^\(.*\)$/.test(documented.written)) {
    return row.defaultValue === undefined ? undefined : `${documented.name} is not given a value, but its default is ${JSON.stringify(row.defaultValue)}`;
  }
  const parsed = field.safeParse(documented.written);
  if (!parsed.success) return `${documented.name}=${documented.written} is not a value the schema takes`;
  if (row.required) return undefined;
  return isDeepStrictEqual(parsed.data, row.defaultValue)
    ? undefined
    : `${documented.name}=${documented.written} is shown as the default, but the default is ${JSON.stringify(row.defaultValue)}`;
}

export interface ConfigDocsCheck {
  schema: z.ZodObject;
  /** The .env.example sections that hold this schema's variables, all of them and nothing else. */
  sections: string[];
  computedDefaults?: Record<string, string>;
}

/** Where .env.example and the README's variable tables disagree with a config schema: names and defaults. */
export function configDocsProblems({ schema, sections, computedDefaults = {} }: ConfigDocsCheck): string[] {
  const example = envExampleVariables(readWorkspaceFile('.env.example'));
  const readme = readmeVariables(readWorkspaceFile('README.md'));
  const names = Object.keys(schema.shape);
  const listed = example.filter((variable) => sections.includes(variable.section));
  return [
    ...names.filter((name) => !listed.some((variable) => variable.name === name)).map((name) => `${name} is missing from .env.example (${sections.join(', ')})`),
    ...names.filter((name) => example.filter((variable) => variable.name === name).length > 1).map((name) => `${name} is listed more than once in .env.example`),
    ...listed.map((variable) => documentationProblem(schema, variable, computedDefaults)),
    ...readme.filter((row) => !example.some((variable) => variable.name === row.name)).map((row) => `the README names ${row.name}, which .env.example does not list`),
    ...readme.filter((row) => names.includes(row.name)).map((row) => documentationProblem(schema, row, computedDefaults)),
    // Variables of no server schema (npm start's, the agent's): the two documents at least agree with each other.
    ...readme.filter((row) => !names.includes(row.name)).map((row) => {
      const listedAs = example.find((variable) => variable.name === row.name);
      if (!listedAs || row.written === '' || /^\(.*\)$/.test(row.written) || listedAs.written === row.written || listedAs.note.includes(row.written)) return undefined;
      return `the README gives ${row.name} the default ${row.written}, .env.example ${listedAs.written || 'none'}`;
    }),
  ].filter((problem): problem is string => problem !== undefined);
}
