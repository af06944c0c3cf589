import type { BlueprintInput } from '@thresh/protocol';

/** Blueprints every agent ships with; a custom blueprint of the same name takes their place. */
export const BUILTIN_BLUEPRINTS: BlueprintInput[] = [
  {
    name: 'python-dev',
    description: 'Python 3 with pip and a virtual environment in the workspace',
    base: 'python:3.12-slim',
    packages: ['git'],
    environment: { PYTHONUNBUFFERED: '1' },
    scripts: { setup: 'python3 -m venv .venv && .venv/bin/pip --version' },
    volumes: ['workspace'],
  },
  {
    name: 'node-dev',
    description: 'Node.js with npm, ready for a project in the workspace',
    base: 'node:20-bookworm-slim',
    packages: ['git'],
    environment: { NODE_ENV: 'development' },
    scripts: { setup: 'node --version && npm --version' },
    volumes: ['workspace'],
  },
  {
    name: 'ubuntu-dev',
    description: 'Ubuntu with the usual build tools',
    base: 'ubuntu:24.04',
    packages: ['build-essential', 'git', 'curl'],
    scripts: { setup: 'uname -a' },
    volumes: ['workspace'],
  },
  {
    name: 'alpine-minimal',
    description: 'A minimal Alpine shell',
    base: 'alpine:3.20',
    scripts: { setup: 'cat /etc/os-release 2>/dev/null | head -n 1 || uname -a' },
  },
  {
    name: 'postgres-dev',
    description: 'PostgreSQL 16 for development, on port 5432 (password "postgres")',
    base: 'postgres:16',
    environment: { POSTGRES_PASSWORD: 'postgres', PGDATA: '/data/pgdata' },
    ports: [5432],
    volumes: ['data'],
    command: 'docker-entrypoint.sh postgres',
  },
];
