/** Lua run inside Redis, so each decision is atomic across replicas. Times come from Redis's own
 * clock (TIME), so replicas' clocks never disagree about a rate or a hold's expiry. Money is in
 * integer micro-dollars. */

const NOW_MS = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/** Drops the holds of one counter whose time ran out (their replica stopped renewing them). */
const EXPIRE_HOLDS = `local function expire_holds(counter, holds, now)
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', holds, '-inf', now)) do
    local amount = redis.call('HGET', counter, 'h:' .. old)
    if amount then
      redis.call('HINCRBY', counter, 'reserved', -tonumber(amount))
      redis.call('HDEL', counter, 'h:' .. old)
    end
    redis.call('ZREM', holds, old)
  end
end`;

/** GCRA for the rate (at most burst + elapsed / interval) and holds against budget counters, in
 * one atomic step. KEYS[1] the token's rate key, then pairs (counter hash, holds zset); ARGV: request id, amount,
 * hold ms, rate interval ms (0: no rate), rate burst, then each pair's cap. The caps are checked
 * first, then the rate, and only then is anything taken. Returns {1} admitted and held, {0, i,
 * spent, reserved} refused by counter i, {2, ms} refused by the rate, or {-1, i} when counter i is
 * missing (it must be rebuilt from Postgres first, never assumed zero). */
export const ADMIT = `${NOW_MS}
${EXPIRE_HOLDS}
local id = ARGV[1]
local amount = tonumber(ARGV[2])
local hold_ms = tonumber(ARGV[3])
local interval = tonumber(ARGV[4])
local burst = tonumber(ARGV[5])
local pairs_count = (#KEYS - 1) / 2
for i = 1, pairs_count do
  if redis.call('EXISTS', KEYS[2 * i]) == 0 then return {-1, i} end
end
for i = 1, pairs_count do
  local counter, holds = KEYS[2 * i], KEYS[2 * i + 1]
  expire_holds(counter, holds, now)
  local spent = tonumber(redis.call('HGET', counter, 'spent') or '0')
  local reserved = tonumber(redis.call('HGET', counter, 'reserved') or '0')
  local cap = tonumber(ARGV[5 + i])
  if spent + reserved >= cap or spent + reserved + amount > cap then return {0, i, spent, reserved} end
end
if interval > 0 then
  local tat = tonumber(redis.call('GET', KEYS[1]) or now)
  if tat < now then tat = now end
  local allowed_at = tat + interval - burst * interval
  if now < allowed_at then return {2, allowed_at - now} end
  redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(tat + interval - now) + 1000)
end
for i = 1, pairs_count do
  local counter, holds = KEYS[2 * i], KEYS[2 * i + 1]
  if redis.call('HSETNX', counter, 'h:' .. id, amount) == 1 then
    redis.call('HINCRBY', counter, 'reserved', amount)
  end
  redis.call('ZADD', holds, now + hold_ms, id)
  local ttl = redis.call('PTTL', counter)
  if ttl > 0 then redis.call('PEXPIRE', holds, ttl) end
end
return {1}`;

/** KEYS: pairs (counter hash, holds zset); ARGV: request id, micro-dollars spent (0 to only drop
 * the hold). A counter that is missing is left alone: it is rebuilt from Postgres when needed. */
export const BUDGET_SETTLE = `local id = ARGV[1]
local spent = tonumber(ARGV[2])
for i = 1, #KEYS / 2 do
  local counter, holds = KEYS[2 * i - 1], KEYS[2 * i]
  if redis.call('EXISTS', counter) == 1 then
    local amount = redis.call('HGET', counter, 'h:' .. id)
    if amount then
      redis.call('HINCRBY', counter, 'reserved', -tonumber(amount))
      redis.call('HDEL', counter, 'h:' .. id)
    end
    redis.call('ZREM', holds, id)
    if spent > 0 then redis.call('HINCRBY', counter, 'spent', spent) end
  end
end
return 1`;

/** KEYS[1] counter; ARGV spent from Postgres, ms to keep it. Sets it only if still missing. */
export const BUDGET_REBUILD = `if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'spent', ARGV[1], 'reserved', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

/** KEYS: holds zsets; ARGV: request id, hold ms. Pushes a running request's holds further out. */
export const BUDGET_RENEW = `${NOW_MS}
for i = 1, #KEYS do redis.call('ZADD', KEYS[i], 'XX', now + tonumber(ARGV[2]), ARGV[1]) end
return 1`;
