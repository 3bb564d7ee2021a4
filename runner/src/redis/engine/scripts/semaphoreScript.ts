import { luaPrelude } from './luaCommon.js';

/**
 * The shared semaphore, one script for every operation so each is atomic. `KEYS[1]` holds the leases:
 * a sorted set of members scored by the moment they expire (server time, ms). `ARGV[6]` is the number of
 * permits. A lease is granted straight away only when nobody queues, otherwise the queue's head is served
 * first, so processes are served in arrival order.
 *
 * Replies `{code, member, leases, queued, processes, ahead, dueMs, statuses...}`:
 * - `enter` (`ARGV[8]` ticket id, `ARGV[9]` priority, `ARGV[10]` max queue or -1): code 1 granted, 0 queued,
 *   2 queue full;
 * - `release` (`ARGV[8...]` members, or `?{ticket id}`): gives those leases or queue places back;
 * - `sync` (`ARGV[8]` n, then n held members, then the queued members this process waits on): renews the
 *   held leases (re-creating any the server lost), keeps the waiters alive, and answers one status per
 *   waiter: 1 granted, 0 still queued, -1 gone (expired or lost in a restart). Its `ahead` slot holds
 *   how many of the held leases had lapsed (run out, or lost) before this renewal: their process was cut
 *   off longer than their TTL, and another process may have been granted those permits meanwhile.
 *   Re-creating them is deliberate: the calls still run, and counting them again keeps the gate from
 *   granting more until they end.
 *
 * `dueMs` is when the earliest lease runs out if the queue waits on one (-1 otherwise), so a waiting
 * process can look again then and a crashed holder's permit is handed on when its lease ends.
 */
export const semaphoreScript = `${luaPrelude}
local leases = KEYS[1]
local permits = tonumber(ARGV[6])

local function purgeLeases()
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
end

-- Serves queue heads while permits are free. A lease granted to a waiter lasts as long as its process's
-- liveness would have, until that process claims it (its next sync), so a dead process's grant ends too.
local function dispatch()
  local free = permits - redis.call('ZCARD', leases)
  local granted = false
  while free > 0 do
    local member, expiry = popHead()
    if not member then break end
    redis.call('ZADD', leases, expiry, member)
    notify(member)
    free = free - 1
    granted = true
  end
  if granted then redis.call('PEXPIRE', leases, keepMs) end
end

local function dueMs()
  if redis.call('ZCARD', queue) == 0 or redis.call('ZCARD', leases) < permits then return -1 end
  local first = redis.call('ZRANGE', leases, 0, 0, 'WITHSCORES')
  if #first == 0 then return -1 end
  return math.max(1, math.ceil(tonumber(first[2]) - now))
end

local function reply(code, member, processes, ahead)
  return {code, member, redis.call('ZCARD', leases), redis.call('ZCARD', queue), processes, ahead, dueMs()}
end

if op == 'enter' then
  purgeLeases()
  purgeWaiters()
  dispatch()
  local member = newMember(ARGV[8])
  local processes = seenProcesses()
  local queued = redis.call('ZCARD', queue)
  if queued == 0 and redis.call('ZCARD', leases) < permits then
    redis.call('ZADD', leases, now + ttl, member)
    redis.call('PEXPIRE', leases, keepMs)
    return reply(1, member, processes, 0)
  end
  local maxQueue = tonumber(ARGV[10])
  if maxQueue >= 0 and queued >= maxQueue then
    return reply(2, member, processes, queued)
  end
  local ahead = enqueue(member, tonumber(ARGV[9]))
  return reply(0, member, processes, ahead)
end

if op == 'release' then
  for i = 8, #ARGV do
    local member = ARGV[i]
    if string.sub(member, 1, 1) == '?' then
      local id = string.sub(member, 2)
      member = findMember(leases, id) or findMember(queue, id)
    end
    if member then
      redis.call('ZREM', leases, member)
      redis.call('ZREM', queue, member)
      redis.call('ZREM', alive, member)
    end
  end
  purgeLeases()
  purgeWaiters()
  dispatch()
  return reply(0, '', 0, 0)
end

if op == 'sync' then
  local held = tonumber(ARGV[8])
  local lapsed = 0
  for i = 9, 8 + held do
    local expiry = redis.call('ZSCORE', leases, ARGV[i])
    if not expiry or tonumber(expiry) <= now then lapsed = lapsed + 1 end
    redis.call('ZADD', leases, now + ttl, ARGV[i])
  end
  if held > 0 then redis.call('PEXPIRE', leases, keepMs) end
  local firstWaiter = 9 + held
  renewWaiters(firstWaiter)
  purgeLeases()
  purgeWaiters()
  dispatch()
  local processes = seenProcesses()
  local result = reply(0, '', processes, lapsed)
  for i = firstWaiter, #ARGV do
    local member = ARGV[i]
    if redis.call('ZSCORE', leases, member) then
      redis.call('ZADD', leases, now + ttl, member)
      result[#result + 1] = 1
    elseif redis.call('ZSCORE', queue, member) then
      result[#result + 1] = 0
    else
      result[#result + 1] = -1
    end
  end
  return result
end

return redis.error_reply('unknown operation ' .. tostring(op))
`;
