/**
 * Lua shared by the shared gates' scripts (Redis runs Lua 5.1). Every script is called with the same
 * argument layout, so this prelude can read it:
 *
 * - `ARGV[1]` the operation (`enter`, `release`, `sync`)
 * - `ARGV[2]` the prefix of the grant channels (the owner's client id is appended)
 * - `ARGV[3]` the gate's routing id, echoed in grant messages
 * - `ARGV[4]` the calling process's client id
 * - `ARGV[5]` the lease/waiter time to live in milliseconds
 * - `ARGV[6]`, `ARGV[7]` the gate's own parameters
 * - `ARGV[8]...` the operation's arguments
 *
 * A member given back as `?{ticket id}` stands for whatever member that ticket got: its process sent
 * `enter` but never read the answer (a timeout, a lost connection).
 *
 * and `KEYS[2]` the queue, `KEYS[3]` the waiters' liveness, `KEYS[4]` the arrival counter,
 * `KEYS[5]` the processes seen. Time is the server's (`TIME`), in fractional milliseconds.
 *
 * Queue members are `{arrival, 15 digits}:{client id}:{ticket}`; their score is minus the priority, so
 * `ZPOPMIN` serves the highest priority first and, within one priority, the lowest arrival number (members
 * of equal score sort by bytes).
 */
export const luaPrelude = `
local queue, alive, seqKey, procs = KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local op = ARGV[1]
local channelPrefix = ARGV[2]
local gateId = ARGV[3]
local clientId = ARGV[4]
local ttl = tonumber(ARGV[5])
local keepMs = math.ceil(ttl) + 1000
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000

local function removeAll(key, members)
  for i = 1, #members, 500 do
    redis.call('ZREM', key, unpack(members, i, math.min(i + 499, #members)))
  end
end

-- Waiters whose process stopped renewing them leave the queue.
local function purgeWaiters()
  local dead = redis.call('ZRANGEBYSCORE', alive, '-inf', now)
  if #dead > 0 then
    removeAll(queue, dead)
    removeAll(alive, dead)
  end
end

-- Tells the process that owns a queue member that it was granted.
local function notify(member)
  local owner = string.match(member, '^%d+:([^:]+):')
  if owner then
    redis.call('PUBLISH', channelPrefix .. owner, gateId .. '\\n' .. member)
  end
end

-- Pops the queue's head; returns it and the moment its process's liveness runs out.
local function popHead()
  local head = redis.call('ZPOPMIN', queue, 1)
  if #head == 0 then return nil, nil end
  local member = head[1]
  local expiry = tonumber(redis.call('ZSCORE', alive, member)) or (now + ttl)
  redis.call('ZREM', alive, member)
  return member, expiry
end

local function newMember(id)
  local seq = redis.call('INCR', seqKey)
  redis.call('PEXPIRE', seqKey, 604800000)
  return string.format('%015d', seq) .. ':' .. id
end

local function enqueue(member, priority)
  redis.call('ZADD', queue, -priority, member)
  redis.call('ZADD', alive, now + ttl, member)
  redis.call('PEXPIRE', queue, keepMs)
  redis.call('PEXPIRE', alive, keepMs)
  return redis.call('ZRANK', queue, member)
end

-- Keeps the queued members this process still waits on alive; returns where the list of them starts.
local function renewWaiters(first)
  for i = first, #ARGV do
    if redis.call('ZSCORE', queue, ARGV[i]) then
      redis.call('ZADD', alive, now + ttl, ARGV[i])
    end
  end
  if first <= #ARGV then
    redis.call('PEXPIRE', queue, keepMs)
    redis.call('PEXPIRE', alive, keepMs)
  end
end

-- The member of a sorted set that belongs to ticket \`id\` (its tail), if any: for tickets whose \`enter\`
-- went unanswered, so their process never learnt the member. Rare, so a scan is fine.
local function findMember(key, id)
  local cursor = '0'
  repeat
    local page = redis.call('ZSCAN', key, cursor, 'MATCH', '*:' .. id, 'COUNT', 1000)
    cursor = page[1]
    if #page[2] > 0 then return page[2][1] end
  until cursor == '0'
  return nil
end

-- Marks this process as using the gate; returns how many processes did within the time to live.
local function seenProcesses()
  redis.call('ZADD', procs, now + ttl, clientId)
  redis.call('ZREMRANGEBYSCORE', procs, '-inf', now)
  redis.call('PEXPIRE', procs, keepMs)
  return redis.call('ZCARD', procs)
end
`;
