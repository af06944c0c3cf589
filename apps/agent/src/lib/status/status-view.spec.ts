import { AgentState } from '../agent-state';
import { StatusView } from './status-view';

const initial: AgentState = {
  pid: 1,
  agentId: 'agent',
  status: 'connecting',
  url: 'http://midtier',
  transport: 'auto',
  startedAt: '2026-12-01T00:00:00.000Z',
  lastReportAt: null,
  nodeName: 'node',
  nodeId: null,
  lastError: null,
  bufferedSamples: 0,
  droppedSamples: 0,
};

describe('StatusView', () => {
  it('writes the whole state on every change', () => {
    const written: AgentState[] = [];
    const view = new StatusView(initial, () => undefined, (state) => written.push({ ...state }));
    view.update({ status: 'connected', nodeId: 'n-1' });
    view.update({ bufferedSamples: 3 });
    expect(written.map(({ status, nodeId, bufferedSamples }) => ({ status, nodeId, bufferedSamples }))).toEqual([
      { status: 'connected', nodeId: 'n-1', bufferedSamples: 0 },
      { status: 'connected', nodeId: 'n-1', bufferedSamples: 3 },
    ]);
    expect(view.current.status).toBe('connected');
  });

  it('goes on, saying so, when the state file cannot be written', () => {
    const logs: string[] = [];
    const view = new StatusView(initial, (message) => logs.push(message), () => {
      throw new Error('disk full');
    });
    view.update({ status: 'connected' });
    expect(view.current.status).toBe('connected');
    expect(logs).toEqual(['could not write the state file: disk full']);
  });
});
