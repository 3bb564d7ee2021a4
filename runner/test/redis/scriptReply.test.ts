// The typed readers of the shared gate scripts' replies (no Redis needed).
import { describe, expect, it } from 'vitest';
import { decodeEnterReply, decodeReleaseReply, decodeSyncReply, ScriptReplyError } from '../../src/redis/engine/scriptReply.js';

describe('scriptReply', () => {
  it('decodeEnterReply() - names every field and the status', () => {
    expect(decodeEnterReply([0, '000000000000042:abc:1', 5, 3, 2, 2, 840])).toEqual({
      status: 'queued',
      member: '000000000000042:abc:1',
      count: 5,
      queued: 3,
      processes: 2,
      ahead: 2,
      dueMs: 840,
    });
    expect(decodeEnterReply([1, 'm', 1, 0, 1, 0, -1]).status).toBe('granted');
    expect(decodeEnterReply([2, 'm', 5, 10, 1, 10, 12]).status).toBe('queue_full');
  });

  it('decodeSyncReply() - reads one status per waiter named, and the leases found lapsed', () => {
    expect(decodeSyncReply([0, '', 4, 2, 3, 1, 250, 1, 0, -1], 3)).toEqual({
      count: 4,
      queued: 2,
      processes: 3,
      dueMs: 250,
      lapsed: 1,
      waiters: ['granted', 'queued', 'gone'],
    });
    expect(decodeSyncReply([0, '', 0, 0, 1, 0, -1], 0).waiters).toEqual([]);
  });

  it('decodeReleaseReply() - reads the gate state', () => {
    expect(decodeReleaseReply([0, '', 2, 0, 0, 0, -1])).toEqual({ count: 2, queued: 0, processes: 0, dueMs: -1 });
  });

  it('decode*() - a reply that is not what the scripts send throws ScriptReplyError naming the operation', () => {
    expect(() => decodeEnterReply('OK')).toThrow(ScriptReplyError);
    expect(() => decodeEnterReply([0, 'm', 1, 0, 1])).toThrow('unexpected reply from a shared gate script (enter)');
    expect(() => decodeEnterReply([7, 'm', 1, 0, 1, 0, -1])).toThrow(ScriptReplyError);
    expect(() => decodeEnterReply([1, '', 1, 0, 1, 0, -1])).toThrow(ScriptReplyError);
    expect(() => decodeSyncReply([0, '', 1, 0, 1, 0, -1, 1], 2)).toThrow('(sync)');
    expect(() => decodeSyncReply([0, '', 1, 0, 1, 0, -1, 3], 1)).toThrow(ScriptReplyError);
    expect(() => decodeReleaseReply([0, '', 'x', 0, 0, 0, -1])).toThrow('(release)');
  });
});
