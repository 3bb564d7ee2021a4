import { luaPrelude } from './luaCommon.js';

/**
 * The shared token bucket, one script for every operation so each is atomic. `KEYS[1]` is the bucket (a
 * hash of `tokens` and `ts`, the server time it was last refilled), `KEYS[6]` recent grants (members
 * scored by when they lapse), so a grant whose waiter left meanwhile can be refunded. `ARGV[6]` is the refill rate in tokens per
 * millisecond, `ARGV[7]` the bucket's size (burst). A missing bucket is a full one: the key expires once
 * it would have refilled.
 *
 * Replies `{code, member, milliTokens, queued, processes, ahead, dueMs, statuses...}`:
 * - `enter` (`ARGV[8]` ticket id, `ARGV[9]` priority, `ARGV[10]` max queue or -1): code 1 granted, 0 queued,
 *   2 queue full;
 * - `release` (`ARGV[8...]` members, or `?{ticket id}`): withdraws those waiters, and refunds the token of any that was
 *   granted after its waiter left;
 * - `sync` (`ARGV[8]` = 0, then the queued members this process waits on): keeps them alive, serves the
 *   queue, and answers one status per waiter: 1 granted, 0 still queued, -1 gone (its `ahead` slot, the
 *   semaphore's count of lapsed leases, is 0: a rate permit holds nothing).
 *
 * `dueMs` is when the next token is due if anyone queues (-1 otherwise), so a waiting process looks again
 * then; whichever process does serves the queue's head, whoever owns it.
 */
export const rateLimiterScript = `${luaPrelude}
local bucket, granted = KEYS[1], KEYS[6]
local rate = tonumber(ARGV[6])
local burst = tonumber(ARGV[7])
local EPSILON = 1e-9
local tokens, refilledAt

local function load()
  local state = redis.call('HMGET', bucket, 'tokens', 'ts')
  tokens, refilledAt = tonumber(state[1]), tonumber(state[2])
  if tokens == nil or refilledAt == nil then
    tokens, refilledAt = burst, now
  end
  if now > refilledAt then
    tokens = math.min(burst, tokens + (now - refilledAt) * rate)
    refilledAt = now
  end
end

local function save()
  redis.call('HSET', bucket, 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', refilledAt))
  redis.call('PEXPIRE', bucket, math.ceil((burst - tokens) / rate) + 1000)
end

local function purgeGrants()
  redis.call('ZREMRANGEBYSCORE', granted, '-inf', now)
end

-- Serves queue heads while whole tokens are left (a hair short counts, against float drift).
local function dispatch()
  local any = false
  while tokens >= 1 - EPSILON do
    local member, expiry = popHead()
    if not member then break end
    tokens = math.max(0, tokens - 1)
    redis.call('ZADD', granted, expiry, member)
    notify(member)
    any = true
  end
  if any then redis.call('PEXPIRE', granted, keepMs) end
end

local function dueMs()
  if redis.call('ZCARD', queue) == 0 then return -1 end
  return math.max(1, math.ceil((1 - tokens) / rate))
end

local function reply(code, member, processes, ahead)
  return {code, member, math.floor(tokens * 1000), redis.call('ZCARD', queue), processes, ahead, dueMs()}
end

if op == 'enter' then
  purgeWaiters()
  purgeGrants()
  load()
  dispatch()
  local member = newMember(ARGV[8])
  local processes = seenProcesses()
  local queued = redis.call('ZCARD', queue)
  if queued == 0 and tokens >= 1 - EPSILON then
    tokens = math.max(0, tokens - 1)
    -- Recorded like a queued grant, so a waiter that left before this answer reached it gets a refund.
    redis.call('ZADD', granted, now + ttl, member)
    redis.call('PEXPIRE', granted, keepMs)
    save()
    return reply(1, member, processes, 0)
  end
  local maxQueue = tonumber(ARGV[10])
  if maxQueue >= 0 and queued >= maxQueue then
    save()
    return reply(2, member, processes, queued)
  end
  local ahead = enqueue(member, tonumber(ARGV[9]))
  save()
  return reply(0, member, processes, ahead)
end

if op == 'release' then
  purgeWaiters()
  purgeGrants()
  load()
  for i = 8, #ARGV do
    local member = ARGV[i]
    if string.sub(member, 1, 1) == '?' then
      local id = string.sub(member, 2)
      member = findMember(granted, id) or findMember(queue, id)
    end
    if member then
      redis.call('ZREM', queue, member)
      redis.call('ZREM', alive, member)
      if redis.call('ZREM', granted, member) == 1 then
        tokens = math.min(burst, tokens + 1)
      end
    end
  end
  dispatch()
  save()
  return reply(0, '', 0, 0)
end

if op == 'sync' then
  local firstWaiter = 9 + tonumber(ARGV[8])
  renewWaiters(firstWaiter)
  purgeWaiters()
  purgeGrants()
  load()
  dispatch()
  save()
  local processes = seenProcesses()
  local result = reply(0, '', processes, 0)
  for i = firstWaiter, #ARGV do
    local member = ARGV[i]
    if redis.call('ZREM', granted, member) == 1 then
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
