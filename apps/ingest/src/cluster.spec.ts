import { WORKER_V8_FLAGS, workerExecArgv } from './cluster';

describe('workerExecArgv', () => {
  it("adds the workers' V8 flags to the primary's own", () => {
    expect(workerExecArgv(['--enable-source-maps'])).toEqual(['--enable-source-maps', ...WORKER_V8_FLAGS]);
  });

  it('leaves a flag the operator gave alone, however it is spelled', () => {
    expect(workerExecArgv(['--heap-growing-percent=250'])).toEqual(['--heap-growing-percent=250']);
    expect(workerExecArgv(['--heap_growing_percent=250'])).toEqual(['--heap_growing_percent=250']);
  });
});
