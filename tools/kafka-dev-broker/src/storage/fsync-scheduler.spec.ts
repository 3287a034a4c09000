import { FsyncScheduler } from './fsync-scheduler';

describe('FsyncScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("'always' syncs in written()", () => {
    const sync = jest.fn();
    new FsyncScheduler('always', 1000, sync, jest.fn()).written();
    expect(sync).toHaveBeenCalledTimes(1);
  });

  it("'interval' coalesces writes into one sync per interval", () => {
    const sync = jest.fn();
    const s = new FsyncScheduler('interval', 1000, sync, jest.fn());
    s.written();
    s.written();
    jest.advanceTimersByTime(999);
    expect(sync).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(sync).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(5000);
    expect(sync).toHaveBeenCalledTimes(1); // nothing written since
    s.written();
    s.cancel();
    jest.advanceTimersByTime(5000);
    expect(sync).toHaveBeenCalledTimes(1);
  });

  it("'never' never syncs by itself", () => {
    const sync = jest.fn();
    new FsyncScheduler('never', 1000, sync, jest.fn()).written();
    jest.advanceTimersByTime(10_000);
    expect(sync).not.toHaveBeenCalled();
  });

  it('keeps a background failure and rethrows it', () => {
    const onFailure = jest.fn();
    const s = new FsyncScheduler('interval', 10, () => {
      throw new Error('EIO');
    }, onFailure);
    s.assertHealthy();
    s.written();
    jest.advanceTimersByTime(10);
    expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ message: 'EIO' }));
    expect(() => s.assertHealthy()).toThrow('EIO');
  });

  it('rejects bad options', () => {
    expect(() => new FsyncScheduler('sometimes' as 'never', 10, jest.fn(), jest.fn())).toThrow(RangeError);
    expect(() => new FsyncScheduler('interval', 0, jest.fn(), jest.fn())).toThrow(RangeError);
  });
});
