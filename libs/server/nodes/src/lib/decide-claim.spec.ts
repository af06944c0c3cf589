import { createHash } from 'node:crypto';
import { decideClaim } from './nodes.service';

const hash = (value: string) => createHash('sha256').update(value).digest();

describe('who a registration may be', () => {
  const issued = hash('new credential');
  const asked = (presented: string | null, enrollment: string | null) => ({
    presented: presented === null ? null : hash(presented),
    enrollment: enrollment === null ? null : hash(enrollment),
    issue: () => issued,
  });
  const holding = (credential: string | null, enrollment: string | null = null) => ({
    name: 'web-1',
    credentialHash: credential === null ? null : hash(credential),
    enrollmentHash: enrollment === null ? null : hash(enrollment),
  });

  it('issues a credential to a new node, remembering its enrollment', () => {
    expect(decideClaim(null, asked(null, 'enrolled'))).toEqual({ credentialHash: issued, enrollmentHash: hash('enrolled') });
  });

  it('lets a node in with its own credential and forgets the enrollment: the answer that carried it arrived', () => {
    expect(decideClaim(holding('mine', 'enrolled'), asked('mine', 'enrolled'))).toEqual({ credentialHash: hash('mine'), enrollmentHash: null });
  });

  it('refuses another machine, with or without a credential of its own', () => {
    expect(decideClaim(holding('mine'), asked(null, 'attacker'))).toEqual({ refused: 'did not present the node credential' });
    expect(decideClaim(holding('mine'), asked('forged', null))).toEqual({ refused: "presented a node credential that is not this node's" });
  });

  it('gives a new credential to the enrollment whose answer was lost, until the node has used its credential', () => {
    expect(decideClaim(holding('lost', 'enrolled'), asked(null, 'enrolled'))).toEqual({ credentialHash: issued, enrollmentHash: hash('enrolled') });
    expect(decideClaim(holding('used'), asked(null, 'enrolled'))).toEqual({ refused: 'did not present the node credential' });
  });

  it('hands a claimable node to whoever registers next: a credential for an agent that keeps one, none for an older agent', () => {
    expect(decideClaim(holding(null), asked(null, 'reinstalled'))).toEqual({ credentialHash: issued, enrollmentHash: hash('reinstalled') });
    expect(decideClaim(holding(null), asked(null, null))).toEqual({ credentialHash: null, enrollmentHash: null });
  });
});
